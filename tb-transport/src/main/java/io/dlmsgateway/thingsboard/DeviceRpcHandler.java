package io.dlmsgateway.thingsboard;

import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

/**
 * Answers device RPCs. The transport replies on {@code v1/gateway/rpc} with
 * {@code {"device":..,"id":..,"data":<the Mono's value>}}:
 * <ul>
 *   <li>an empty Mono replies {@code {"success":true}};</li>
 *   <li>an error replies {@code {"error":"<message>"}}, and {@link RpcMethodNotFoundException} replies
 *       {@code {"error":"Method not found","code":404}};</li>
 *   <li>a Mono still running after the transport's RPC timeout is cancelled and replies
 *       {@code {"error":"Request timeout","code":408}}, as the ThingsBoard IoT Gateway does.</li>
 * </ul>
 * Called on the transport's application executor: return quickly, do slow work inside the Mono.
 */
@FunctionalInterface
public interface DeviceRpcHandler {

    Mono<JsonNode> handle(DeviceRpcRequest request);
}
