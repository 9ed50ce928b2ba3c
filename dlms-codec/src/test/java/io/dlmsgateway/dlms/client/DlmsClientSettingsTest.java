package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.DeviationSign;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DlmsClientSettingsTest {

    @Test
    void clientAddressFollowsTheAuthenticationUnlessGiven() {
        assertThat(DlmsClientSettings.builder().build().clientAddress()).isEqualTo(16);
        assertThat(DlmsClientSettings.builder().authentication(Authentication.LOW).password("x").build()
                .clientAddress()).isEqualTo(1);
        assertThat(DlmsClientSettings.builder().authentication(Authentication.HIGH_GMAC).build().clientAddress())
                .isEqualTo(DlmsClientSettings.MANAGEMENT_CLIENT_ADDRESS);
        assertThat(DlmsClientSettings.builder().authentication(Authentication.LOW).password("x").clientAddress(32)
                .build().clientAddress()).isEqualTo(32);
        assertThat(DlmsClientSettings.defaultClientAddress(Authentication.NONE))
                .isEqualTo(DlmsClientSettings.PUBLIC_CLIENT_ADDRESS);
    }

    @Test
    void aDerivedBuilderKeepsAGivenAddressAndLetsADefaultOneFollow() {
        DlmsClientSettings defaulted = DlmsClientSettings.builder().build();
        assertThat(defaulted.toBuilder().authentication(Authentication.HIGH_GMAC).build().clientAddress())
                .isEqualTo(1);
        DlmsClientSettings given = DlmsClientSettings.builder().clientAddress(16).build();
        assertThat(given.toBuilder().authentication(Authentication.HIGH_GMAC).build().clientAddress())
                .isEqualTo(16);
    }

    @Test
    void dateTimesAreStandardAtUtcUnlessSaidAndDerivedBuildersKeepThat() {
        DlmsClientSettings defaults = DlmsClientSettings.builder().build();
        assertThat(defaults.deviationSign()).isEqualTo(DeviationSign.STANDARD);
        assertThat(defaults.clockOffset()).isEqualTo(ZoneOffset.UTC);
        DlmsClientSettings cet = DlmsClientSettings.builder().deviationSign(DeviationSign.INVERTED)
                .clockOffset(ZoneOffset.ofHours(1)).build();
        DlmsClientSettings derived = cet.toBuilder().clientAddress(1).build();
        assertThat(derived.deviationSign()).isEqualTo(DeviationSign.INVERTED);
        assertThat(derived.clockOffset()).isEqualTo(ZoneOffset.ofHours(1));
        assertThatThrownBy(() -> DlmsClientSettings.builder().clockOffset(ZoneOffset.ofTotalSeconds(90)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole minutes");
        assertThatThrownBy(() -> DlmsClientSettings.builder().deviationSign(null))
                .isInstanceOf(NullPointerException.class);
    }
}
