package io.dlmsgateway.dlms.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Authentication;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;
import io.dlmsgateway.dlms.ObisCode;
import io.dlmsgateway.dlms.client.internal.ExchangeScheduler.Event;
import io.dlmsgateway.dlms.client.internal.ExchangeScheduler.EventKind;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How operations on one association share the wire: exchange by exchange, on-demand first, equal priorities in turn,
 * cancellation at exchange boundaries. Simulated meters over loopback TCP answer every request after a delay, so that
 * operations overlap; what is asserted is the order of exchanges the connection reports, never wall time.
 */
class DlmsConnectionSchedulingTest {

    /** Per-reply delay of the meters: long enough that a test's next step lands while an exchange is on the wire. */
    private static final Duration LATENCY = Duration.ofMillis(25);
    private static final int EXTRA_OBJECTS = 60;

    private static EventLoopGroup group;
    private static MeterSimulator wrapperMeters;
    private static MeterSimulator hdlcMeters;

    @BeforeAll
    static void start() throws java.io.IOException {
        group = new NioEventLoopGroup(2);
        wrapperMeters = MeterSimulator.start(SimulatorOptions.builder().meterCount(1).basePort(0)
                .framing(Framing.WRAPPER).extraObjects(EXTRA_OBJECTS).latency(LATENCY).build());
        hdlcMeters = MeterSimulator.start(SimulatorOptions.builder().meterCount(1).basePort(0)
                .framing(Framing.HDLC).extraObjects(EXTRA_OBJECTS).latency(LATENCY).build());
    }

    @AfterAll
    static void stop() {
        wrapperMeters.close();
        hdlcMeters.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    // ---- priorities --------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Framing.class)
    void onDemandReadWaitsForAtMostTheScheduledExchangeInFlight(Framing framing) throws Exception {
        DlmsConnection meter = open(framing, 1024);
        Trace trace = new Trace(meter);
        try {
            // 12 scaler_units + 72 values in GET-with-list chunks of ten: nine exchanges
            CompletableFuture<ReadResult> poll = meter.read(longPoll());
            trace.await(e -> e.kind() == EventKind.STARTED && e.operation() == 2 && trace.count(EventKind.STARTED, 2)
                    >= 2);
            List<Measurement> rpc = List.of(MeasurementCatalog.require("voltage_l1"),
                    MeasurementCatalog.require("frequency"), extra(7));
            CompletableFuture<ReadResult> onDemand = meter.read(rpc, Priority.ON_DEMAND);

            ReadResult answer = onDemand.get(10, TimeUnit.SECONDS);
            ReadResult polled = poll.get(10, TimeUnit.SECONDS);

            assertThat(answer.refusals()).isEmpty();
            assertThat(answer.values()).extracting(MeasuredValue::name)
                    .containsExactly("voltage_l1", "frequency", "extra_7");
            assertThat(answer.value("extra_7").value()).isEqualTo(7L);
            assertThat(polled.refusals()).isEmpty();
            assertThat(polled.values()).hasSize(longPoll().size());

            List<Event> events = trace.events();
            long rpcId = trace.idOf(Priority.ON_DEMAND);
            int submitted = trace.indexOf(EventKind.SUBMITTED, rpcId);
            int completed = trace.indexOf(EventKind.COMPLETED, rpcId);
            List<Event> between = events.subList(submitted, completed);
            assertThat(between).as("the poll's exchange in flight finishes; none of its next ones starts")
                    .filteredOn(e -> e.operation() == 2 && e.kind() == EventKind.STARTED).isEmpty();
            assertThat(between).filteredOn(e -> e.operation() == 2 && e.kind() == EventKind.FINISHED)
                    .hasSizeLessThanOrEqualTo(1);
            assertThat(between).filteredOn(e -> e.operation() == rpcId && e.kind() == EventKind.STARTED)
                    .isNotEmpty();
            assertThat(events.subList(completed, events.size()))
                    .as("the on-demand read overtook the poll, which still had exchanges to go")
                    .anyMatch(e -> e.operation() == 2 && e.kind() == EventKind.STARTED);
            trace.assertOneExchangeAtATime();
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aBlockTransferredReplyIsOneExchangeThatNothingInterrupts(Framing framing) throws Exception {
        // a small PDU makes the object list (well over a kilobyte) come in many blocks, each acknowledged
        DlmsConnection meter = open(framing, 128);
        Trace trace = new Trace(meter);
        try {
            CompletableFuture<Object> objectList = meter.readAttribute(ObisCode.parse("0.0.40.0.0.255"), 15, 2);
            trace.await(e -> e.kind() == EventKind.STARTED && e.operation() == 2);
            CompletableFuture<ReadResult> onDemand = meter.read(List.of(extra(3)), Priority.ON_DEMAND);

            assertThat(onDemand.get(10, TimeUnit.SECONDS).value("extra_3").value()).isEqualTo(3L);
            assertThat((List<?>) objectList.get(10, TimeUnit.SECONDS)).hasSizeGreaterThan(EXTRA_OBJECTS);

            List<Event> events = trace.events();
            long rpcId = trace.idOf(Priority.ON_DEMAND);
            assertThat(trace.indexOf(EventKind.STARTED, rpcId))
                    .as("the on-demand read starts after the last block of the object list")
                    .isGreaterThan(trace.indexOf(EventKind.FINISHED, 2));
            assertThat(events).filteredOn(e -> e.operation() == 2 && e.kind() == EventKind.STARTED).hasSize(1);
            trace.assertOneExchangeAtATime();
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void scheduledReadsTakeTurnsExchangeByExchange(Framing framing) throws Exception {
        DlmsConnection meter = open(framing, 1024);
        Trace trace = new Trace(meter);
        try {
            CompletableFuture<ReadResult> first = meter.read(longPoll());
            trace.await(e -> e.kind() == EventKind.STARTED && e.operation() == 2);
            // thirty data objects: three GET-with-list exchanges
            List<Measurement> second = extras(20, 50);
            CompletableFuture<ReadResult> other = meter.read(second);

            assertThat(other.get(10, TimeUnit.SECONDS).values()).hasSize(30);
            assertThat(first.get(10, TimeUnit.SECONDS).values()).hasSize(longPoll().size());

            int submitted = trace.indexOf(EventKind.SUBMITTED, 3);
            List<Long> turns = trace.events().subList(submitted, trace.indexOf(EventKind.COMPLETED, 3)).stream()
                    .filter(e -> e.kind() == EventKind.STARTED).map(Event::operation).toList();
            assertThat(turns).as("exchange starts while both reads are under way").hasSizeGreaterThanOrEqualTo(5)
                    .startsWith(3L);
            for (int i = 1; i < turns.size(); i++) {
                assertThat(turns.get(i)).as("turn %d of %s", i, turns).isNotEqualTo(turns.get(i - 1));
            }
            trace.assertOneExchangeAtATime();
        } finally {
            meter.release().join();
        }
    }

    // ---- cancellation ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Framing.class)
    void cancellingAnOperationWhoseExchangeWaitsDropsItAndTheOthersGoOn(Framing framing) throws Exception {
        DlmsConnection meter = open(framing, 1024);
        AtomicReference<CompletableFuture<?>> victim = new AtomicReference<>();
        // cancels on the event loop, at the first event after operation 3 queued its exchange: the poll's exchange
        // in flight finishes, and operation 3 would be next on the wire
        Trace trace = new Trace(meter, (t, e) -> {
            if (e.operation() != 3 && t.count(EventKind.QUEUED, 3) == 1 && t.count(EventKind.STARTED, 3) == 0
                    && victim.get() != null) {
                victim.get().cancel(false);
            }
        });
        try {
            CompletableFuture<ReadResult> poll = meter.read(longPoll());
            trace.await(e -> e.kind() == EventKind.STARTED && e.operation() == 2);
            CompletableFuture<ReadResult> doomed = meter.read(extras(20, 50));
            victim.set(doomed);

            ReadResult polled = poll.get(10, TimeUnit.SECONDS);
            trace.await(e -> e.kind() == EventKind.COMPLETED && e.operation() == 3);

            assertThat(doomed).isCancelled();
            assertThat(polled.values()).hasSize(longPoll().size());
            assertThat(trace.events()).as("the cancelled read never reached the wire")
                    .noneMatch(e -> e.operation() == 3 && e.kind() == EventKind.STARTED)
                    .anyMatch(e -> e.operation() == 3 && e.kind() == EventKind.CANCELLED);
            assertThat(meter.read(List.of(extra(41)), Priority.ON_DEMAND).get(10, TimeUnit.SECONDS)
                    .value("extra_41").value()).as("the association is still usable").isEqualTo(41L);
            trace.assertOneExchangeAtATime();
        } finally {
            meter.release().join();
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void cancellingAnOperationOnTheWireLetsThatExchangeFinishAndRunsNoMore(Framing framing) throws Exception {
        DlmsConnection meter = open(framing, 1024);
        AtomicReference<CompletableFuture<?>> victim = new AtomicReference<>();
        // cancels on the event loop as operation 3's first exchange goes on the wire
        Trace trace = new Trace(meter, (t, e) -> {
            if (e.operation() == 3 && e.kind() == EventKind.STARTED && victim.get() != null) {
                victim.get().cancel(false);
            }
        });
        try {
            CompletableFuture<ReadResult> poll = meter.read(longPoll());
            trace.await(e -> e.kind() == EventKind.STARTED && e.operation() == 2);
            // its first exchange waits for the poll's exchange in flight, so the reference is set before it starts
            CompletableFuture<ReadResult> doomed = meter.read(extras(20, 50), Priority.ON_DEMAND);
            victim.set(doomed);

            ReadResult polled = poll.get(10, TimeUnit.SECONDS);
            trace.await(e -> e.kind() == EventKind.COMPLETED && e.operation() == 3);

            assertThat(doomed).isCancelled();
            List<Event> events = trace.events();
            assertThat(events).filteredOn(e -> e.operation() == 3).extracting(Event::kind)
                    .as("one exchange, let finish; none after it")
                    .containsExactly(EventKind.SUBMITTED, EventKind.QUEUED, EventKind.STARTED, EventKind.CANCELLED,
                            EventKind.FINISHED, EventKind.COMPLETED);
            assertThat(polled.refusals()).isEmpty();
            assertThat(polled.values()).hasSize(longPoll().size());
            assertThat(polled.value("extra_39").value())
                    .as("the cancelled exchange's reply was read as its own, not as the poll's").isEqualTo(39L);
            assertThat(meter.read(List.of(extra(12)), Priority.ON_DEMAND).get(10, TimeUnit.SECONDS)
                    .value("extra_12").value()).isEqualTo(12L);
            trace.assertOneExchangeAtATime();
        } finally {
            meter.release().join();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static DlmsConnection open(Framing framing, int maxPduSize) {
        MeterSimulator sim = framing == Framing.HDLC ? hdlcMeters : wrapperMeters;
        DlmsClientSettings settings = DlmsClientSettings.builder()
                .framing(framing)
                .logicalAddress(sim.addressing().logicalAddress())
                .physicalAddress(sim.addressing().physicalAddress(0))
                .authentication(Authentication.NONE)
                .maxPduSize(maxPduSize)
                .requestTimeout(Duration.ofSeconds(5))
                .build();
        InetSocketAddress address = sim.addresses().get(0);
        return DlmsConnection.open(group, address, settings, framing + "-meter").join();
    }

    /** The twelve standard registers and all of the meter's extra data objects: 84 attributes, nine exchanges. */
    private static List<Measurement> longPoll() {
        List<Measurement> all = new ArrayList<>(MeasurementCatalog.standard());
        all.addAll(extras(0, EXTRA_OBJECTS));
        return all;
    }

    private static List<Measurement> extras(int from, int to) {
        List<Measurement> list = new ArrayList<>();
        for (int i = from; i < to; i++) {
            list.add(extra(i));
        }
        return list;
    }

    /** A manufacturer-specific data object of the simulated meter, whose value is its index. */
    private static Measurement extra(int i) {
        return new Measurement("extra_" + i, ObisCode.of(0, 128, 96, 50, i, 255), Measurement.CLASS_DATA, 2);
    }

    /**
     * The events of one connection's scheduler, in order. The association is operation 1 (before the trace starts),
     * so a test's operations are 2, 3, ... in the order it submits them. Collected on the event loop without
     * blocking; read from the test thread.
     */
    private static final class Trace {
        private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();

        Trace(DlmsConnection connection) {
            this(connection, (t, e) -> { });
        }

        Trace(DlmsConnection connection, java.util.function.BiConsumer<Trace, Event> onEvent) {
            Consumer<Event> listener = e -> {
                events.add(e);
                onEvent.accept(this, e);
            };
            connection.exchangeListener(listener);
        }

        List<Event> events() {
            return List.copyOf(events);
        }

        long count(EventKind kind, long operation) {
            return events.stream().filter(e -> e.kind() == kind && e.operation() == operation).count();
        }

        long idOf(Priority priority) {
            return events().stream().filter(e -> e.kind() == EventKind.SUBMITTED && e.priority() == priority)
                    .findFirst().orElseThrow().operation();
        }

        int indexOf(EventKind kind, long operation) {
            List<Event> list = events();
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).kind() == kind && list.get(i).operation() == operation) {
                    return i;
                }
            }
            throw new AssertionError("no " + kind + " of operation " + operation + " in " + list);
        }

        void await(Predicate<Event> condition) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (events.stream().noneMatch(condition)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out waiting; events so far: " + events());
                }
                Thread.sleep(1);
            }
        }

        /** Every exchange finishes before the next starts: nothing is interleaved inside one. */
        void assertOneExchangeAtATime() {
            Event open = null;
            for (Event e : events()) {
                if (e.kind() == EventKind.STARTED) {
                    assertThat(open).as("%s started while %s was on the wire", e, open).isNull();
                    open = e;
                } else if (e.kind() == EventKind.FINISHED) {
                    assertThat(open).isNotNull();
                    assertThat(e.operation()).isEqualTo(open.operation());
                    open = null;
                }
            }
        }
    }
}
