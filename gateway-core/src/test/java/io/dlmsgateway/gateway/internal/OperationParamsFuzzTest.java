package io.dlmsgateway.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.gateway.DlmsJson.DeviceClock;
import io.dlmsgateway.thingsboard.RpcRefusedException;
import java.io.IOException;

/**
 * Issue 12, fuzzing: any JSON as the params of {@code get}, {@code set} or {@code execute}. Only the documented
 * refusal ({@link RpcRefusedException}, its message starting with the RPC's name) may come out, before anything would
 * reach a meter.
 */
class OperationParamsFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest(maxDuration = "5s")
    void operationParams(byte[] input) {
        JsonNode params;
        try {
            params = JSON.readTree(input);
        } catch (IOException e) {
            return; // not JSON: the transport never hands such params on
        }
        if (params == null) {
            return;
        }
        try {
            OperationParams.attribute("get", params);
            OperationParams.access("get", params, DeviceClock.UTC);
        } catch (RpcRefusedException refused) {
            assertThat(refused.getMessage()).startsWith("get: ");
        }
        try {
            OperationParams.attribute("set", params);
            OperationParams.value(params).ifPresent(v -> OperationParams.typed("set", v, null, DeviceClock.UTC));
        } catch (RpcRefusedException refused) {
            assertThat(refused.getMessage()).startsWith("set: ");
        }
        try {
            OperationParams.method("execute", params);
        } catch (RpcRefusedException refused) {
            assertThat(refused.getMessage()).startsWith("execute: ");
        }
    }
}
