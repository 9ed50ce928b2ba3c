package io.dlmsgateway.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.client.MeasuredValue;
import io.dlmsgateway.dlms.client.Refusal;
import java.math.BigDecimal;
import java.util.List;
import java.util.function.Function;

/**
 * What a read gave, as the JSON people see it: the {@code read} RPC's reply and the {@code read} command's output.
 *
 * <pre>
 * {"voltage_l1":{"value":230.1,"unit":"V"},
 *  "1.0.99.99.0.255":{"error":"object-undefined","result":4}}
 * </pre>
 *
 * <p>Numbers stay numbers, exact ({@code 230.1}, never {@code 230.09999}); a refusal carries the data-access-result
 * by name and code, and the attribute when the meter refused the register's scaler_unit rather than its value.
 */
public final class MeasurementJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    // only to turn values of other kinds (lists of a structure, date-times as text) into JSON trees
    private static final ObjectMapper TREES = new ObjectMapper();

    private MeasurementJson() {
    }

    /** One entry per measurement asked, in the order asked: its value, the meter's refusal, or "not-read". */
    public static ObjectNode read(List<Measurement> asked, Function<String, MeasuredValue> values,
            Function<String, Refusal> refusals) {
        ObjectNode out = NODES.objectNode();
        for (Measurement m : asked) {
            MeasuredValue value = values.apply(m.name());
            Refusal refusal = value == null ? refusals.apply(m.name()) : null;
            out.set(m.name(), value != null ? value(value)
                    : refusal != null ? refusal(refusal) : NODES.objectNode().put("error", "not-read"));
        }
        return out;
    }

    /** Every value, then every refusal, of a read whose order the values map already gives. */
    public static ObjectNode read(Iterable<MeasuredValue> values, List<Refusal> refusals) {
        ObjectNode out = NODES.objectNode();
        for (MeasuredValue value : values) {
            out.set(value.name(), value(value));
        }
        for (Refusal refusal : refusals) {
            out.set(refusal.name(), refusal(refusal));
        }
        return out;
    }

    /** {@code {"value":230.1,"unit":"V"}}; no unit when it has none. */
    public static ObjectNode value(MeasuredValue measured) {
        ObjectNode node = NODES.objectNode();
        Object value = measured.value();
        if (value instanceof BigDecimal decimal) {
            node.put("value", decimal);
        } else if (value instanceof Long l) {
            node.put("value", l);
        } else if (value instanceof Integer i) {
            node.put("value", i);
        } else if (value instanceof Number n) {
            node.put("value", n.doubleValue());
        } else if (value instanceof Boolean b) {
            node.put("value", b);
        } else if (value instanceof CharSequence text) {
            node.put("value", text.toString());
        } else {
            node.set("value", TREES.valueToTree(value));
        }
        if (measured.unit() != null && !measured.unit().isEmpty()) {
            node.put("unit", measured.unit());
        }
        return node;
    }

    /**
     * {@code {"error":"object-undefined","result":4}}, with {@code "attribute":3} for a refused scaler_unit, and
     * {@code "reason"} when the gateway refused what the meter sent ({@code "scaler 127 outside -20..20"}).
     */
    public static ObjectNode refusal(Refusal refusal) {
        ObjectNode node = NODES.objectNode().put("error", refusal.resultName()).put("result", refusal.result());
        if (refusal.isScalerUnit()) {
            node.put("attribute", refusal.attributeIndex());
        }
        if (refusal.reason() != null) {
            node.put("reason", refusal.reason());
        }
        return node;
    }
}
