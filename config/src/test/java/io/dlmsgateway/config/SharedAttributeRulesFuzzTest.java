package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.gateway.DeviceInputRules;
import java.io.IOException;
import java.time.Duration;

/**
 * Issue 14, fuzzing: any JSON value as a shared attribute {@code pollingInterval} under the configuration's rules.
 * Only the documented refusal (IllegalArgumentException with the reason) may come out, and what is accepted is within
 * the configuration's range of 100 ms to one day.
 */
class SharedAttributeRulesFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DeviceInputRules RULES = ConfigBinding.inputRules();

    @FuzzTest(maxDuration = "5s")
    void pollingInterval(byte[] input) {
        JsonNode value;
        try {
            value = JSON.readTree(input);
        } catch (IOException e) {
            return; // not JSON: the transport never hands such an update on
        }
        Duration interval;
        try {
            interval = RULES.pollingInterval(value);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).startsWith("pollingInterval");
            return;
        }
        assertThat(interval).isBetween(Duration.ofMillis(100), Duration.ofDays(1));
    }
}
