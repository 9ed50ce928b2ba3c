package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.client.DlmsConnectionException;
import io.dlmsgateway.dlms.client.DlmsTimeoutException;
import io.dlmsgateway.dlms.client.MeasuredValue;
import io.dlmsgateway.dlms.client.Priority;
import io.dlmsgateway.dlms.client.ReadResult;
import io.dlmsgateway.fleet.Meter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A meter whose behaviour a virtual-time test scripts: how many association attempts fail, whether reads fail.
 * It stands in for the network only where time must be virtual; the fleet's real-socket tests use simulated meters.
 */
final class ScriptedMeter implements MeterConnector {

    static final Measurement VOLTAGE = MeasurementCatalog.require("voltage_l1");

    private final VirtualTimeScheduler time;
    final List<Long> associationAttempts = new ArrayList<>();
    final List<Long> reads = new ArrayList<>();
    final List<Priority> priorities = new ArrayList<>();
    int failAssociations;
    /** Association attempts neither succeed nor fail, until cancelled. */
    boolean hangAssociations;
    int cancelledAssociations;
    boolean failReads;
    /** Reads get no reply, until cancelled. */
    boolean hangReads;
    int cancelledReads;
    Association current;

    ScriptedMeter(VirtualTimeScheduler time) {
        this.time = time;
    }

    static Meter device(String name, Duration interval) {
        return Meter.builder(name, "127.0.0.1", 4059).pollingInterval(interval).measurements(List.of(VOLTAGE)).build();
    }

    @Override
    public Mono<MeterAssociation> associate() {
        return Mono.defer(() -> {
            associationAttempts.add(now());
            if (hangAssociations) {
                return Mono.<MeterAssociation>never().doOnCancel(() -> cancelledAssociations++);
            }
            if (failAssociations > 0) {
                failAssociations--;
                return Mono.error(new DlmsConnectionException("scripted", "connection refused by 127.0.0.1:4059",
                        null));
            }
            current = new Association();
            return Mono.just(current);
        });
    }

    long now() {
        return time.now(TimeUnit.MILLISECONDS);
    }

    final class Association implements MeterAssociation {

        private final Sinks.Empty<Void> closed = Sinks.empty();
        boolean released;
        boolean closedYet;

        @Override
        public Mono<ReadResult> read(List<Measurement> measurements, Priority priority) {
            return Mono.defer(() -> {
                reads.add(now());
                priorities.add(priority);
                if (hangReads) {
                    return Mono.<ReadResult>never().doOnCancel(() -> cancelledReads++);
                }
                if (failReads) {
                    close();
                    return Mono.error(new DlmsTimeoutException("scripted", "GET", Duration.ofSeconds(1)));
                }
                return Mono.just(new ReadResult(List.of(new MeasuredValue(VOLTAGE, new BigDecimal("230.1"), "V")),
                        List.of()));
            });
        }

        @Override
        public Mono<Void> release() {
            return Mono.fromRunnable(() -> {
                released = true;
                close();
            });
        }

        @Override
        public void abort() {
            close();
        }

        /** The meter closes the connection on its side. */
        void closeByPeer() {
            close();
        }

        private void close() {
            closedYet = true;
            closed.tryEmitEmpty();
        }

        @Override
        public Mono<Void> onClose() {
            return closed.asMono();
        }

        @Override
        public boolean isActive() {
            return !closedYet;
        }

        @Override
        public long bytesReceived() {
            return 0;
        }

        @Override
        public long bytesSent() {
            return 0;
        }
    }
}
