package io.dlmsgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.DlmsValue;
import java.io.IOException;

/**
 * Issue 12, fuzzing: any JSON as a typed value of an RPC ({@code set}, {@code execute}, named RPCs, attribute
 * writes). Only the documented {@link IllegalArgumentException} may come out; what is accepted is written back by
 * {@link DlmsJson#json} and read again to the same value.
 */
class DlmsJsonFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest(maxDuration = "5s")
    void typedValues(byte[] input) {
        if (input.length == 0) {
            return;
        }
        // the first byte picks the fallback type (or none), the rest is the JSON
        DlmsType[] types = DlmsType.values();
        int pick = input[0] & 0xFF;
        DlmsType fallback = pick < types.length ? types[pick] : null;
        JsonNode json;
        try {
            json = JSON.readTree(input, 1, input.length - 1);
        } catch (IOException e) {
            return; // not JSON: the transport never hands such params on
        }
        if (json == null) {
            return;
        }
        DlmsValue value;
        try {
            value = DlmsJson.typed(json, fallback);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(DlmsJson.typed(DlmsJson.json(value), null)).isEqualTo(value);
    }
}
