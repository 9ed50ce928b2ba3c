package io.dlmsgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.MeasuredValue;
import io.dlmsgateway.dlms.client.Refusal;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeasurementJsonTest {

    private static final Measurement VOLTAGE = MeasurementCatalog.require("voltage_l1");
    private static final Measurement POWER = MeasurementCatalog.require("active_power");
    private static final Measurement MISSING = Measurement.parse("1.0.99.99.0.255");
    private static final Measurement STATUS = new Measurement("status", ObisCode.parse("0.0.96.5.0.255"), 1, 2);

    @Test
    void valuesRefusalsAndWhatWasNotReadInTheOrderAsked() {
        Map<String, MeasuredValue> values = Map.of(
                "voltage_l1", new MeasuredValue(VOLTAGE, new BigDecimal("230.10"), "V"),
                "status", new MeasuredValue(STATUS, List.of(1, "ok"), ""));
        Map<String, Refusal> refusals = Map.of(
                MISSING.name(), new Refusal(MISSING, 4),
                "active_power", new Refusal(POWER, 3, 3));

        String json = MeasurementJson.read(List.of(MISSING, VOLTAGE, POWER, STATUS,
                MeasurementCatalog.require("frequency")), values::get, refusals::get).toString();

        assertThat(json).isEqualTo("{\"1.0.99.99.0.255\":{\"error\":\"object-undefined\",\"result\":4},"
                + "\"voltage_l1\":{\"value\":230.10,\"unit\":\"V\"},"
                + "\"active_power\":{\"error\":\"read-write-denied\",\"result\":3,\"attribute\":3},"
                + "\"status\":{\"value\":[1,\"ok\"]},"
                + "\"frequency\":{\"error\":\"not-read\"}}");
    }

    @Test
    void aReadingsValuesThenItsRefusals() {
        String json = MeasurementJson.read(List.of(new MeasuredValue(POWER, 3047L, "W")),
                List.of(new Refusal(MISSING, 4))).toString();
        assertThat(json).isEqualTo("{\"active_power\":{\"value\":3047,\"unit\":\"W\"},"
                + "\"1.0.99.99.0.255\":{\"error\":\"object-undefined\",\"result\":4}}");
    }

    @Test
    void aValueTheGatewayRefusedSaysWhy() {
        String json = MeasurementJson.read(List.of(),
                List.of(Refusal.implausible(VOLTAGE, "scaler 127 outside -20..20"))).toString();
        assertThat(json).isEqualTo("{\"voltage_l1\":{\"error\":\"other-reason\",\"result\":250,"
                + "\"reason\":\"scaler 127 outside -20..20\"}}");
    }
}
