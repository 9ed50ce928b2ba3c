package io.dlmsgateway.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.thingsboard.RpcRefusedException;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;

/**
 * Issue 14, fuzzing: any JSON as the params of a {@code read} RPC. Only the documented refusal may come out; what is
 * accepted keeps every bound (at most 1000 entries, none blank, none longer than 255, no duplicates).
 */
class ReadParamsFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest(maxDuration = "5s")
    void readParams(byte[] input) {
        JsonNode params;
        try {
            params = JSON.readTree(input);
        } catch (IOException e) {
            return; // not JSON: the transport never hands such params on
        }
        if (params == null) {
            return;
        }
        List<String> entries;
        try {
            entries = DeviceRpcRouter.entries(params);
        } catch (RpcRefusedException refused) {
            assertThat(refused.getMessage()).startsWith("read: ");
            return;
        }
        assertThat(entries).hasSizeLessThanOrEqualTo(DeviceRpcRouter.MAX_OBJECTS_PER_READ)
                .allSatisfy(e -> assertThat(e).isNotBlank().hasSizeLessThanOrEqualTo(DeviceRpcRouter.MAX_ENTRY_CHARS)
                        .isEqualTo(e.trim()));
        assertThat(new HashSet<>(entries)).hasSameSizeAs(entries);
    }
}
