package io.dlmsgateway.thingsboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.thingsboard.DeviceRpcRequest;

/**
 * Issue 14, fuzzing: any bytes on {@code v1/gateway/rpc} or {@code v1/devices/me/rpc/request/+}, as they enter the
 * gateway. The reading is total: every input is a request, a refusal, an unanswerable or an ignored message, never an
 * exception; a request handed on keeps every bound. A small size bound sends many inputs down the streaming scan of
 * oversize requests too.
 */
class DeviceRpcJsonFuzzTest {

    private static final IncomingJson JSON = new IncomingJson(new ObjectMapper(), 512);

    @FuzzTest(maxDuration = "5s")
    void rpcRequests(byte[] payload) {
        IncomingJson.DeviceRpc device = JSON.deviceRpc(payload);
        assertThat(device).isNotNull();
        if (device instanceof IncomingJson.Request request) {
            DeviceRpcRequest r = request.request();
            assertThat(payload.length).isLessThanOrEqualTo(JSON.maxBytes());
            assertThat(r.device()).isNotEmpty().hasSizeLessThanOrEqualTo(IncomingJson.MAX_NAME_CHARS);
            assertThat(r.method()).isNotEmpty().hasSizeLessThanOrEqualTo(IncomingJson.MAX_NAME_CHARS);
            assertThat(IncomingJson.usableId(r.id())).isTrue();
            assertThat(r.params()).isNotNull();
        } else if (device instanceof IncomingJson.Refused refused) {
            assertThat(refused.device()).isNotEmpty().hasSizeLessThanOrEqualTo(IncomingJson.MAX_NAME_CHARS);
            assertThat(IncomingJson.usableId(refused.id())).isTrue();
            assertThat(refused.reason()).isNotBlank();
        }
        IncomingJson.GatewayRpc gateway = JSON.gatewayRpc(payload);
        assertThat(gateway).isNotNull();
        if (gateway instanceof IncomingJson.GatewayRequest request) {
            assertThat(request.method()).isNotEmpty().hasSizeLessThanOrEqualTo(IncomingJson.MAX_NAME_CHARS);
            assertThat(request.params()).isNotNull();
        }
    }
}
