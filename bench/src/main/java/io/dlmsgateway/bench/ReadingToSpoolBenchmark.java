package io.dlmsgateway.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.client.MeasuredValue;
import io.dlmsgateway.fleet.ClockCheck;
import io.dlmsgateway.fleet.Meter;
import io.dlmsgateway.fleet.MeterReading;
import io.dlmsgateway.gateway.GatewayDevice;
import io.dlmsgateway.gateway.ValueTemplate;
import io.dlmsgateway.gateway.internal.TelemetryMapping;
import io.dlmsgateway.spool.SpoolRecord;
import io.dlmsgateway.thingsboard.DeviceTelemetry;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway's per-reading JSON work, in readings per second: a reading through the seed's timeseriesMapping into the
 * spool record written on an event loop ({@code toSpool}), and back from the spool into telemetry for the transport
 * ({@code fromSpool}). {@code toSpoolThroughMap} is how the record was written before it was streamed from the reading
 * (the values into a LinkedHashMap, the map through an ObjectMapper), kept as the baseline; {@code timeseries} is the
 * seed's mapping of the four values or none (every value under its own name, as the load harness configures).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ReadingToSpoolBenchmark {

    @Param({"seed", "none"})
    public String timeseries;

    private TelemetryMapping mapping;
    private MapAndMapper throughMap;
    private MeterReading reading;
    private SpoolRecord record;

    @Setup
    public void setUp() {
        Map<String, ValueTemplate> timeseries = new LinkedHashMap<>();
        if (this.timeseries.equals("seed")) {
            for (String name : new String[] {"voltage_l1", "current_l1", "active_power", "frequency"}) {
                timeseries.put(name, ValueTemplate.parse("${" + name + "}"));
            }
        }
        GatewayDevice device = new GatewayDevice(Meter.builder("medidor_principal", "192.168.1.127", 3333).build(),
                "DLMS_Energy_Meter", Map.of(), timeseries);
        mapping = new TelemetryMapping(Map.of(device.name(), device));
        throughMap = new MapAndMapper(device);
        Map<String, MeasuredValue> values = new LinkedHashMap<>();
        values.put("voltage_l1", new MeasuredValue(MeasurementCatalog.require("voltage_l1"), new BigDecimal("230.1"),
                "V"));
        values.put("current_l1", new MeasuredValue(MeasurementCatalog.require("current_l1"), new BigDecimal("4.87"),
                "A"));
        values.put("active_power", new MeasuredValue(MeasurementCatalog.require("active_power"),
                new BigDecimal("2679"), "W"));
        values.put("frequency", new MeasuredValue(MeasurementCatalog.require("frequency"), new BigDecimal("50.02"),
                "Hz"));
        Instant now = Instant.parse("2025-11-04T10:30:45Z");
        reading = new MeterReading(device.name(), now, now, Duration.ofMillis(3), values, List.of());
        record = mapping.record(reading);
    }

    @Benchmark
    public SpoolRecord toSpool() {
        return mapping.record(reading);
    }

    @Benchmark
    public SpoolRecord toSpoolThroughMap() {
        return throughMap.record(reading);
    }

    @Benchmark
    public DeviceTelemetry fromSpool() {
        return mapping.telemetry(record);
    }

    /** The record as TelemetryMapping wrote it until the record was streamed. */
    private static final class MapAndMapper {

        private final ObjectMapper json = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        private final GatewayDevice device;

        MapAndMapper(GatewayDevice device) {
            this.device = device;
        }

        SpoolRecord record(MeterReading reading) {
            try {
                return new SpoolRecord(reading.meter(), reading.timestamp().toEpochMilli(),
                        json.writeValueAsBytes(telemetry(reading)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        private Map<String, Object> telemetry(MeterReading reading) {
            Map<String, Object> values = new LinkedHashMap<>();
            if (device.timeseriesMapping().isEmpty()) {
                reading.values().forEach((name, value) -> values.put(name, value.value()));
                return values;
            }
            Function<String, Object> lookup = name -> switch (name) {
                case "host" -> device.meter().host();
                case "port" -> device.meter().port();
                case "name" -> device.name();
                case "deviceType" -> device.deviceType();
                default -> {
                    MeasuredValue value = reading.value(name);
                    yield value == null ? null : value.value();
                }
            };
            device.timeseriesMapping().forEach((key, template) -> {
                String single = template.singlePlaceholder();
                if (single != null) {
                    Object value = lookup.apply(single);
                    if (value != null) {
                        values.put(key, value);
                    }
                    return;
                }
                for (String name : template.placeholders()) {
                    if (lookup.apply(name) == null) {
                        return;
                    }
                }
                values.put(key, template.render(lookup));
            });
            MeasuredValue deviation = reading.value(ClockCheck.DEVIATION_KEY);
            if (deviation != null) {
                values.putIfAbsent(ClockCheck.DEVIATION_KEY, deviation.value());
            }
            return values;
        }
    }
}
