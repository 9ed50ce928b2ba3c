package io.dlmsgateway.thingsboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.thingsboard.internal.SessionLimits.Limits;
import org.junit.jupiter.api.Test;

/** The 80 % rule applied to {@code getSessionLimits} answers; the exchange itself is in ThingsBoardSessionLimitsTest. */
class SessionLimitsTest {

    private static final int CONFIGURED_PAYLOAD = 65_536;
    private static final int CONFIGURED_INFLIGHT = 100;

    private static Limits keptFrom(String answer) throws Exception {
        JsonNode json = new ObjectMapper().readTree(answer);
        return SessionLimits.keepEightyPercent(json, CONFIGURED_PAYLOAD, CONFIGURED_INFLIGHT);
    }

    @Test
    void keepsEightyPercentOfBothAnnouncedLimits() throws Exception {
        assertThat(keptFrom("{\"maxPayloadSize\":10000,\"maxInflightMessages\":50}"))
                .isEqualTo(new Limits(8000, 40));
    }

    @Test
    void roundsEightyPercentDown() throws Exception {
        assertThat(keptFrom("{\"maxPayloadSize\":1001,\"maxInflightMessages\":9}"))
                .isEqualTo(new Limits(800, 7));
    }

    @Test
    void neverGoesAboveTheConfiguredLimits() throws Exception {
        assertThat(keptFrom("{\"maxPayloadSize\":10000000,\"maxInflightMessages\":1000}"))
                .isEqualTo(new Limits(CONFIGURED_PAYLOAD, CONFIGURED_INFLIGHT));
    }

    @Test
    void keepsRoomForOneValueAndOnePublishHoweverSmallTheAnnouncement() throws Exception {
        assertThat(keptFrom("{\"maxPayloadSize\":100,\"maxInflightMessages\":1}"))
                .isEqualTo(new Limits(SessionLimits.MIN_PAYLOAD_SIZE, 1));
    }

    @Test
    void leavesTheConfiguredValueForALimitMissingZeroNegativeOrNotANumber() throws Exception {
        assertThat(keptFrom("{\"maxInflightMessages\":50}")).isEqualTo(new Limits(CONFIGURED_PAYLOAD, 40));
        assertThat(keptFrom("{\"maxPayloadSize\":0,\"maxInflightMessages\":-5}"))
                .isEqualTo(new Limits(CONFIGURED_PAYLOAD, CONFIGURED_INFLIGHT));
        assertThat(keptFrom("{\"maxPayloadSize\":\"lots\",\"rateLimits\":{}}"))
                .isEqualTo(new Limits(CONFIGURED_PAYLOAD, CONFIGURED_INFLIGHT));
    }

    @Test
    void readsLimitsSentAsStrings() throws Exception {
        // Jackson's asInt converts numeric text, which is how a hand-written server answer may carry them
        assertThat(keptFrom("{\"maxPayloadSize\":\"5000\",\"maxInflightMessages\":\"20\"}"))
                .isEqualTo(new Limits(4000, 16));
    }
}
