package io.dlmsgateway.thingsboard;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A server-side RPC from ThingsBoard to one child device, received on {@code v1/gateway/rpc} as
 * {@code {"device":"Meter-001","data":{"id":42,"method":"read","params":{..}}}}.
 *
 * @param device device name
 * @param id     request id as ThingsBoard sent it, a whole number or a string, echoed as is in the reply
 * @param method method name
 * @param params parameters as sent; a {@code NullNode} or {@code MissingNode} when there were none
 */
public record DeviceRpcRequest(String device, JsonNode id, String method, JsonNode params) {

    public DeviceRpcRequest {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(params, "params");
    }
}
