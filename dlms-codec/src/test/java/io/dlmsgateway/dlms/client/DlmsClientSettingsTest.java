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
    void settingsBuiltAlikeAreEqualKeysAndPasswordByContent() {
        DlmsClientSettings a = DlmsClientSettings.builder().authentication(Authentication.HIGH_GMAC)
                .blockCipherKey("000102030405060708090A0B0C0D0E0F").clientSystemTitle("4752580000000007").build();
        DlmsClientSettings b = DlmsClientSettings.builder().authentication(Authentication.HIGH_GMAC)
                .blockCipherKey("000102030405060708090a0b0c0d0e0f").clientSystemTitle("4752580000000007").build();
        assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
        assertThat(a.toBuilder().blockCipherKey("0F0E0D0C0B0A09080706050403020100").build()).isNotEqualTo(a);
        assertThat(a.toBuilder().clientSystemTitle("4752580000000008").build()).isNotEqualTo(a);
        assertThat(a.toBuilder().clientAddress(1).build()).as("an address given is not one defaulted")
                .isNotEqualTo(a);
        DlmsClientSettings low = DlmsClientSettings.builder().authentication(Authentication.LOW).password("x").build();
        assertThat(low.toBuilder().password("x").build()).isEqualTo(low);
        assertThat(low.toBuilder().password("y").build()).isNotEqualTo(low);
        assertThat(a.toBuilder().requestTimeout(java.time.Duration.ofSeconds(7)).build()).isNotEqualTo(a);
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
