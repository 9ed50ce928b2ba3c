package io.dlmsgateway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.dlms.DlmsType;
import io.dlmsgateway.dlms.ObisCode;
import java.util.Objects;
import java.util.Optional;

/**
 * A device RPC by a name of the user's choosing, configured per device (as the ThingsBoard IoT gateway's Modbus
 * connector lists its {@code rpc}): {@code {"method":"setCustomerNote","type":"set","obis":"0.0.96.1.1.255",
 * "classId":1,"attribute":2,"valueType":"octet-string"}}.
 *
 * @param name      the RPC method ThingsBoard calls
 * @param kind      GET an attribute, SET an attribute, EXECUTE a method
 * @param classId   the object's interface class
 * @param obis      the object's logical name
 * @param index     the attribute (GET, SET) or the method (EXECUTE)
 * @param valueType the DLMS type the RPC's value (or the fixed {@code value}) is written as; empty: for SET the type
 *                  of the attribute's current value, for EXECUTE the JSON value's natural type
 * @param value     a fixed value (SET) or parameter (EXECUTE); empty takes it from the RPC's params
 */
public record RpcMethod(String name, Kind kind, int classId, ObisCode obis, int index, Optional<DlmsType> valueType,
                        Optional<JsonNode> value) {

    /** What the RPC does. */
    public enum Kind {
        GET,
        SET,
        EXECUTE
    }

    public RpcMethod {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(obis, "obis");
        Objects.requireNonNull(valueType, "valueType");
        Objects.requireNonNull(value, "value");
    }
}
