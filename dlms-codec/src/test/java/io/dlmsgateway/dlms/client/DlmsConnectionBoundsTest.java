package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.DlmsProtocolViolationException.Bound;
import io.dlmsgateway.dlms.sim.MeterFault;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, findings 2 and 3, over real loopback TCP against simulated meters that misbehave: a meter that never
 * sends its last data block is cut off by the reply's byte bound or by the exchange's deadline, whichever comes
 * first; one that floods DataNotification frames loses its connection as a protocol violation.
 */
class DlmsConnectionBoundsTest {

    private static final ObisCode DEVICE_ID = ObisCode.parse("0.0.96.1.0.255");

    private static EventLoopGroup group;
    private static MeterSimulator meters;

    @BeforeAll
    static void start() throws java.io.IOException {
        group = new NioEventLoopGroup(1);
        meters = MeterSimulator.start(SimulatorOptions.builder().meterCount(1).basePort(0)
                .framing(Framing.WRAPPER).build());
    }

    @AfterAll
    static void stop() {
        meters.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void heal() {
        meters.meter(0).heal().latency(Duration.ZERO);
    }

    private static DlmsConnection open(DlmsClientSettings.Builder settings) {
        return DlmsConnection.open(group, meters.addresses().get(0), settings
                .logicalAddress(meters.addressing().logicalAddress())
                .requestTimeout(Duration.ofSeconds(2)).build(), "meter-0").join();
    }

    @Test
    void endlessDataBlocksAreCutOffAtMaxReplyBytes() {
        DlmsConnection c = open(DlmsClientSettings.builder().maxReplyBytes(DlmsClientSettings.MIN_MAX_REPLY_BYTES));
        meters.meter(0).fault(MeterFault.NEVER_LAST_BLOCK);

        assertViolation(c.readAttribute(DEVICE_ID, 1, 2), Bound.REPLY_BYTES,
                "[meter-0] protocol violation: reply to GET 0.0.96.1.0.255 class 1 attribute 2 exceeds 65599 bytes"
                        + " (maxReplyBytes)");
        c.closeFuture().join();
        assertThat(c.bytesReceived()).isLessThan(DlmsClientSettings.MIN_MAX_REPLY_BYTES + 1_000);
    }

    @Test
    void aReadOfRegistersIsHeldToWhatItMayNeed() {
        DlmsConnection c = open(DlmsClientSettings.builder());
        meters.meter(0).fault(MeterFault.NEVER_LAST_BLOCK);

        assertViolation(c.read(List.copyOf(MeasurementCatalog.standard())), Bound.REPLY_BYTES,
                "bytes (the most this read may need; maxReplyBytes 1048576)");
    }

    @Test
    void slowEndlessDataBlocksAreCutOffAtTheExchangeDeadlineThatGetNextDoesNotExtend() {
        DlmsConnection c = open(DlmsClientSettings.builder().exchangeTimeout(Duration.ofMillis(600)));
        // each block comes well within the request timeout (2 s), so only the exchange's deadline can end it
        meters.meter(0).latency(Duration.ofMillis(50)).fault(MeterFault.NEVER_LAST_BLOCK);

        assertViolation(c.readAttribute(DEVICE_ID, 1, 2), Bound.EXCHANGE_DEADLINE,
                "GET 0.0.96.1.0.255 class 1 attribute 2 still unfinished after 600 ms (exchange deadline;");
    }

    @Test
    void aMeterFloodingNotificationsLosesItsConnectionAsAProtocolViolation() {
        DlmsConnection c = open(DlmsClientSettings.builder());
        meters.meter(0).fault(MeterFault.FLOOD_DATA_NOTIFICATION);
        c.readAttribute(DEVICE_ID, 1, 2).exceptionally(e -> null).join(); // answered; the flood starts after it

        c.closeFuture().orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(c.closeCause()).isInstanceOfSatisfying(DlmsProtocolViolationException.class, e ->
                assertThat(e.bound()).isIn(Bound.UNSOLICITED_DATA, Bound.REPLY_BYTES));
    }

    private static void assertViolation(CompletableFuture<?> read, Bound bound, String message) {
        assertThatThrownBy(() -> read.orTimeout(20, TimeUnit.SECONDS).join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(DlmsProtocolViolationException.class, e -> {
                    assertThat(e.bound()).isEqualTo(bound);
                    assertThat(e.getMessage()).contains(message);
                });
    }
}
