package io.dlmsgateway.thingsboard;

import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Mono;

/**
 * Answers device RPCs. The transport replies on {@code v1/gateway/rpc} with
 * {@code {"device":..,"id":..,"data":<the Mono's value>}}:
 * <ul>
 *   <li>an empty Mono replies {@code {"success":true}};</li>
 *   <li>an error replies {@code {"error":"<message>"}}, {@link RpcMethodNotFoundException} replies
 *       {@code {"error":"Method not found","code":404}} and {@link RpcRefusedException} (a request refused as asked)
 *       {@code {"error":"<reason>","code":400}};</li>
 *   <li>a reply larger than ThingsBoard's payload limit in force is replaced by
 *       {@code {"error":"reply of N bytes is larger than ...","code":413}}: page or bound what can grow;</li>
 *   <li>a Mono still running after the transport's RPC timeout is cancelled and replies
 *       {@code {"error":"Request timeout","code":408}}, as the ThingsBoard IoT Gateway does.</li>
 * </ul>
 * The request was checked on arrival (size within {@code maxPayloadSize}, a device, a method, an id to answer with);
 * its params are the handler's to check. Called on the transport's application executor (in the gateway, an event
 * loop the meters share): return quickly, bound the work by the params' size, do slow work inside the Mono.
 */
@FunctionalInterface
public interface DeviceRpcHandler {

    Mono<JsonNode> handle(DeviceRpcRequest request);
}
