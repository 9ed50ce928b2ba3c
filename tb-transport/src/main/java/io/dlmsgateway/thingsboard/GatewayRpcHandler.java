package io.dlmsgateway.thingsboard;

import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

/**
 * Answers one RPC method addressed to the gateway device itself ({@code v1/devices/me/rpc/request/{id}}); the value
 * is published on {@code v1/devices/me/rpc/response/{id}}. Errors and timeouts are answered as for
 * {@link DeviceRpcHandler}.
 */
@FunctionalInterface
public interface GatewayRpcHandler {

    /**
     * @param params the request's {@code params}, a {@code MissingNode} when absent
     */
    Mono<JsonNode> handle(JsonNode params);
}
