package io.dlmsgateway.thingsboard.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.thingsboard.DeviceTelemetry;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Telemetry JSON serialization, in readings per second: a batch of readings of many meters (four values each, as
 * the seed's devices) encoded into {@code v1/gateway/telemetry} payloads, split at ThingsBoard's 64 KiB limit.
 * It lives in the transport's internal package because the encoder is not API.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class TelemetryEncodeBenchmark {

    private static final int BATCH = 1_000;

    /** Publish size limit: ThingsBoard's default, and a small one that forces many splits. */
    @Param({"65536", "4096"})
    public int maxPayloadSize;

    private PayloadEncoder encoder;
    private List<DeviceTelemetry> batch;
    private int budget;

    @Setup
    public void setUp() {
        encoder = new PayloadEncoder(new ObjectMapper());
        budget = maxPayloadSize - Topics.publishOverhead(Topics.GATEWAY_TELEMETRY);
        batch = new ArrayList<>(BATCH);
        long ts = 1_700_000_000_000L;
        for (int i = 0; i < BATCH; i++) {
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("voltage_l1", BigDecimal.valueOf(2300 + i % 50, 1));
            values.put("current_l1", BigDecimal.valueOf(400 + i % 90, 2));
            values.put("active_power", 2_600L + i % 700);
            values.put("frequency", BigDecimal.valueOf(5000 + i % 7, 2));
            batch.add(new DeviceTelemetry("medidor_" + (i % 500), "DLMS_Energy_Meter", ts + i, values));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object encodeBatch() {
        PayloadEncoder.EncodedTelemetry encoded = encoder.encodeTelemetry(batch, budget);
        if (encoded.entries() != BATCH) {
            throw new IllegalStateException("encoded " + encoded.entries() + " of " + BATCH + " entries");
        }
        return encoded;
    }
}
