package io.dlmsgateway.fleet;

import static io.dlmsgateway.fleet.MeterFleetFaultIsolationTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.DlmsValue;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.sim.MeterPushes;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.PushOptions;
import io.dlmsgateway.dlms.sim.SentNotification;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.resources.GatewayResources;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;

/**
 * Issue 12, deliverables 5 and 7 (push): simulated meters push DataNotifications (encoded and ciphered by Gurux) to one
 * {@link PushListener} on two shared event loops; every notification must arrive exactly as the simulator says it sent
 * it, whatever else connects to the same port.
 */
class PushListenerTest {

    private static final String GUEK = SimulatorOptions.DEFAULT_BLOCK_CIPHER_KEY;
    private static final String GAK = SimulatorOptions.DEFAULT_AUTHENTICATION_KEY;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private GatewayResources resources;
    private PushListener listener;

    /** What a notification says, sent or received, without the invocation counter a listener does not hand on. */
    record Seen(int meter, long invokeId, String dateTime, DlmsValue body, boolean ciphered) {
        static Seen sent(SentNotification s) {
            return new Seen(s.meterIndex(), s.invokeId(), HexFormat.of().formatHex(s.dateTime()), s.body(),
                    s.ciphered());
        }

        static Seen received(PushNotification n) {
            return new Seen(Integer.parseInt(n.device().substring("meter-".length())), n.invokeId(),
                    HexFormat.of().formatHex(n.dateTime().orElseThrow().encode()), n.body(), n.ciphered());
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        if (listener != null) {
            listener.close().block(Duration.ofSeconds(10));
        }
        if (resources != null) {
            resources.shutdown().block(Duration.ofSeconds(10));
        }
    }

    @ParameterizedTest(name = "{0}, ciphered={1}, matched by {2}")
    @CsvSource({
        "WRAPPER, false, LOGICAL_DEVICE_NAME",
        "WRAPPER, true, SYSTEM_TITLE",
        "HDLC, false, HDLC_ADDRESS",
        "HDLC, true, SYSTEM_TITLE",
    })
    void thousandMetersPushAtOnceAndEveryNotificationArrivesExactlyAsSent(Framing framing, boolean ciphered,
            PushMatch.Kind kind) throws Exception {
        int meters = 1_000;
        int perMeter = 3;
        MeterSimulator sim = simulator(meters, framing);
        listen(PushListenerOptions.of("127.0.0.1", 0).withFraming(framing), sources(sim, meters, kind, GUEK));
        ConcurrentLinkedQueue<PushNotification> received = new ConcurrentLinkedQueue<>();
        Disposable sub = listener.notifications().subscribe(received::add);
        closing.add(sub::dispose);
        ConcurrentLinkedQueue<SentNotification> sent = new ConcurrentLinkedQueue<>();
        // HDLC: 40-byte information fields, so every notification comes in segments the listener must reassemble
        MeterPushes pushes = sim.startPushing(PushOptions.to(listener.localAddress(), Duration.ofMillis(300))
                .withCiphered(ciphered).withCount(perMeter).withMaxInformationLength(40), sent::add);
        closing.add(pushes);

        awaitTrue(Duration.ofSeconds(60), () -> received.size() >= meters * perMeter && sent.size() >= meters * perMeter);
        Thread.sleep(200); // nothing more may come
        assertThat(sent).hasSize(meters * perMeter);
        assertThat(received).hasSize(meters * perMeter);
        Set<Seen> expected = new HashSet<>();
        sent.forEach(s -> expected.add(Seen.sent(s)));
        Set<Seen> got = new HashSet<>();
        received.forEach(n -> got.add(Seen.received(n)));
        assertThat(got).hasSize(meters * perMeter).isEqualTo(expected);
        for (PushNotification n : received) {
            assertThat(n.kind()).isEqualTo(PushNotification.Kind.DATA_NOTIFICATION);
            // the simulated meters keep UTC with deviation 0: the instant is the date-time read as UTC
            assertThat(n.time()).isEqualTo(n.dateTime().orElseThrow().toInstant(
                    io.dlmsgateway.dlms.DeviationSign.STANDARD, ZoneOffset.UTC));
            assertThat(n.time()).isPresent();
        }
        PushStatistics stats = listener.statistics();
        assertThat(stats.notifications()).isEqualTo(meters * perMeter);
        assertThat(stats.connectionsAccepted()).isEqualTo(meters);
        assertThat(stats.connectionsOpen()).isEqualTo(meters);
        assertThat(stats.unknownSenders() + stats.undecodable() + stats.oversize() + stats.idleClosed()).isZero();
        assertThat(stats.bytesReceived()).isPositive();
    }

    @Test
    void garbageOversizeSlowUnknownAndWrongKeyPeersAreClosedAndCountedWhileTheOthersAllArrive() throws Exception {
        int meters = 50;
        int perMeter = 10;
        MeterSimulator healthy = simulator(meters, Framing.WRAPPER);
        // two more meters, ciphered: meter 0 known by its system title but with the wrong keys, meter 1 not known
        MeterSimulator strangers = simulator(2, Framing.WRAPPER);
        List<PushSource> sources = new ArrayList<>(sources(healthy, meters, PushMatch.Kind.LOGICAL_DEVICE_NAME, GUEK));
        sources.add(new PushSource("wrong-keys", PushMatch.systemTitle(HexFormat.of().formatHex(
                systemTitle(0))), keys("00112233445566778899AABBCCDDEEFF")));
        listen(PushListenerOptions.of("127.0.0.1", 0).withMaxFrameBytes(1_024)
                .withIdleTimeout(Duration.ofMillis(1_500)), sources);
        ConcurrentLinkedQueue<PushNotification> received = new ConcurrentLinkedQueue<>();
        Disposable sub = listener.notifications().subscribe(received::add);
        closing.add(sub::dispose);
        InetSocketAddress target = listener.localAddress();

        try (Socket garbage = new Socket(target.getAddress(), target.getPort());
                Socket oversize = new Socket(target.getAddress(), target.getPort());
                Socket slow = new Socket(target.getAddress(), target.getPort())) {
            ConcurrentLinkedQueue<SentNotification> sent = new ConcurrentLinkedQueue<>();
            closing.add(healthy.startPushing(PushOptions.to(target, Duration.ofMillis(200)).withCount(perMeter),
                    sent::add));
            closing.add(strangers.startPushing(PushOptions.to(target, Duration.ofMillis(200)).withCiphered(true),
                    s -> { }));
            OutputStream g = garbage.getOutputStream();
            g.write("GET / HTTP/1.1\r\nHost: meter\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            g.flush();
            // a wrapper header announcing 60 000 bytes, above the 1 024 allowed
            oversize.getOutputStream().write(new byte[]{0, 1, 0, 1, 0, 16, (byte) 0xEA, 0x60, 0x0F, 0, 0});
            oversize.getOutputStream().flush();
            // half a frame: a header announcing 40 bytes, then 10 of them, then nothing
            slow.getOutputStream().write(new byte[]{0, 1, 0, 1, 0, 16, 0, 40, 0x0F, 0, 0, 0, 1, 0, 2, 2, 9, 1});
            slow.getOutputStream().flush();

            awaitTrue(Duration.ofSeconds(30), () -> received.size() >= meters * perMeter);
            awaitTrue(Duration.ofSeconds(10), () -> {
                PushStatistics s = listener.statistics();
                return s.undecodable() >= 2 && s.oversize() >= 1 && s.idleClosed() >= 1 && s.unknownSenders() >= 1;
            });
            Thread.sleep(200);
            Set<Seen> expected = new HashSet<>();
            sent.forEach(s -> expected.add(Seen.sent(s)));
            Set<Seen> got = new HashSet<>();
            received.forEach(n -> got.add(Seen.received(n)));
            assertThat(received).hasSize(meters * perMeter);
            assertThat(got).isEqualTo(expected);
            assertThat(received).noneMatch(n -> n.device().equals("wrong-keys"));
            PushStatistics s = listener.statistics();
            assertThat(s.oversize()).isEqualTo(1);
            assertThat(s.idleClosed()).isEqualTo(1);
            // the garbage peer once, the wrong-key meter at every one of its reconnections
            assertThat(s.undecodable()).isGreaterThanOrEqualTo(2);
            assertThat(s.unknownSenders()).isGreaterThanOrEqualTo(1);
            // the hostile sockets were closed by the listener: reading gives end of stream
            for (Socket closedByListener : List.of(garbage, oversize, slow)) {
                closedByListener.setSoTimeout(5_000);
                assertThat(closedByListener.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void anHdlcPortClosesAPeerSendingBytesOutsideFramesAndReassemblesTheOthers() throws Exception {
        int meters = 20;
        int perMeter = 5;
        MeterSimulator sim = simulator(meters, Framing.HDLC);
        listen(PushListenerOptions.of("127.0.0.1", 0).withFraming(Framing.HDLC),
                sources(sim, meters, PushMatch.Kind.HDLC_ADDRESS, GUEK));
        ConcurrentLinkedQueue<PushNotification> received = new ConcurrentLinkedQueue<>();
        Disposable sub = listener.notifications().subscribe(received::add);
        closing.add(sub::dispose);
        InetSocketAddress target = listener.localAddress();
        try (Socket garbage = new Socket(target.getAddress(), target.getPort())) {
            ConcurrentLinkedQueue<SentNotification> sent = new ConcurrentLinkedQueue<>();
            closing.add(sim.startPushing(PushOptions.to(target, Duration.ofMillis(100)).withCount(perMeter)
                    .withMaxInformationLength(16), sent::add));
            garbage.getOutputStream().write("no flags in here, only noise".getBytes(StandardCharsets.US_ASCII));
            garbage.getOutputStream().flush();
            awaitTrue(Duration.ofSeconds(20), () -> received.size() >= meters * perMeter
                    && listener.statistics().undecodable() >= 1);
            Thread.sleep(200);
            Set<Seen> expected = new HashSet<>();
            sent.forEach(x -> expected.add(Seen.sent(x)));
            Set<Seen> got = new HashSet<>();
            received.forEach(n -> got.add(Seen.received(n)));
            assertThat(received).hasSize(meters * perMeter);
            assertThat(got).isEqualTo(expected);
            assertThat(listener.statistics().undecodable()).isEqualTo(1);
            garbage.setSoTimeout(5_000);
            assertThat(garbage.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void connectionsAboveTheLimitAreRefusedAndCounted() throws Exception {
        MeterSimulator sim = simulator(10, Framing.WRAPPER);
        listen(PushListenerOptions.of("127.0.0.1", 0).withMaxConnections(4),
                sources(sim, 10, PushMatch.Kind.LOGICAL_DEVICE_NAME, GUEK));
        ConcurrentLinkedQueue<PushNotification> received = new ConcurrentLinkedQueue<>();
        Disposable sub = listener.notifications().subscribe(received::add);
        closing.add(sub::dispose);
        closing.add(sim.startPushing(PushOptions.to(listener.localAddress(), Duration.ofSeconds(10)).withCount(1),
                s -> { }));
        awaitTrue(Duration.ofSeconds(20), () -> listener.statistics().connectionsRefused() >= 6
                && received.size() >= 4);
        Thread.sleep(300);
        PushStatistics s = listener.statistics();
        assertThat(s.connectionsOpen()).isEqualTo(4);
        assertThat(received.stream().map(PushNotification::device).distinct().count()).isEqualTo(4);
    }

    @Test
    void aSubscriberThatDoesNotRequestPausesReadingAndNothingIsLostOnceItDoes() throws Exception {
        int meters = 20;
        int perMeter = 40;
        int buffer = 16;
        MeterSimulator sim = simulator(meters, Framing.WRAPPER);
        listen(PushListenerOptions.of("127.0.0.1", 0).withBufferSize(buffer),
                sources(sim, meters, PushMatch.Kind.LOGICAL_DEVICE_NAME, GUEK));
        ConcurrentLinkedQueue<PushNotification> received = new ConcurrentLinkedQueue<>();
        List<Subscription> subscription = new ArrayList<>();
        BaseSubscriber<PushNotification> lazy = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                subscription.add(s); // requests nothing yet
            }

            @Override
            protected void hookOnNext(PushNotification value) {
                received.add(value);
            }
        };
        listener.notifications().subscribe(lazy);
        closing.add(lazy::dispose);
        ConcurrentLinkedQueue<SentNotification> sent = new ConcurrentLinkedQueue<>();
        closing.add(sim.startPushing(PushOptions.to(listener.localAddress(), Duration.ofMillis(25))
                .withCount(perMeter), sent::add));

        // the meters go on sending (into TCP buffers) while the listener has stopped reading
        awaitTrue(Duration.ofSeconds(20), () -> sent.size() >= meters * perMeter / 2);
        long decoded = listener.statistics().notifications();
        Thread.sleep(300);
        assertThat(listener.statistics().notifications()).as("decoded while paused").isEqualTo(decoded);
        assertThat(decoded).isLessThan((long) meters * perMeter / 2);
        assertThat(received).isEmpty();

        subscription.get(0).request(Long.MAX_VALUE);
        awaitTrue(Duration.ofSeconds(30), () -> received.size() >= meters * perMeter);
        Thread.sleep(200);
        Set<Seen> expected = new HashSet<>();
        sent.forEach(s -> expected.add(Seen.sent(s)));
        Set<Seen> got = new HashSet<>();
        received.forEach(n -> got.add(Seen.received(n)));
        assertThat(received).hasSize(meters * perMeter);
        assertThat(got).isEqualTo(expected);
    }

    /**
     * Replay protection: a second simulator's meter 0 starts its invocation counter where the first one's did, so
     * its notifications carry counters the listener has accepted already, as a recorded and replayed copy would.
     */
    @Test
    void aCipheredNotificationWhoseCounterIsNotAboveTheLastAcceptedIsRefusedAsAReplay() throws Exception {
        MeterSimulator first = simulator(1, Framing.WRAPPER);
        listen(PushListenerOptions.of("127.0.0.1", 0), sources(first, 1, PushMatch.Kind.SYSTEM_TITLE, GUEK));
        ConcurrentLinkedQueue<PushNotification> received = new ConcurrentLinkedQueue<>();
        Disposable sub = listener.notifications().subscribe(received::add);
        closing.add(sub::dispose);
        ConcurrentLinkedQueue<SentNotification> sent = new ConcurrentLinkedQueue<>();
        MeterPushes original = first.startPushing(PushOptions.to(listener.localAddress(), Duration.ofMillis(100))
                .withCiphered(true).withCount(3), sent::add);
        closing.add(original);
        awaitTrue(Duration.ofSeconds(20), () -> received.size() >= 3);

        MeterSimulator second = simulator(1, Framing.WRAPPER);
        MeterPushes replayed = second.startPushing(PushOptions.to(listener.localAddress(), Duration.ofMillis(100))
                .withCiphered(true).withCount(1), sent::add);
        closing.add(replayed);
        awaitTrue(Duration.ofSeconds(20), () -> listener.statistics().replayed() >= 1);
        Thread.sleep(200);
        assertThat(received).hasSize(3);
        assertThat(listener.statistics().notifications()).isEqualTo(3);
    }

    private MeterSimulator simulator(int meters, Framing framing) throws Exception {
        MeterSimulator sim = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0)
                .meterCount(meters).framing(framing).physicalAddress(16, true).workerThreads(2).build());
        closing.add(sim);
        return sim;
    }

    private void listen(PushListenerOptions options, List<PushSource> sources) {
        resources = GatewayResources.create(2, "push-test");
        listener = PushListener.bind(options, sources, resources).block(Duration.ofSeconds(10));
    }

    private static List<PushSource> sources(MeterSimulator sim, int meters, PushMatch.Kind kind, String guek) {
        IntFunction<PushMatch> match = i -> switch (kind) {
            case LOGICAL_DEVICE_NAME -> PushMatch.logicalDeviceName(String.format("GRXSIM%010d", i));
            case SYSTEM_TITLE -> PushMatch.systemTitle(HexFormat.of().formatHex(systemTitle(i)));
            case HDLC_ADDRESS -> PushMatch.hdlcAddress(sim.addressing().hdlcServerAddress(i));
            default -> throw new IllegalArgumentException(kind.toString());
        };
        List<PushSource> sources = new ArrayList<>();
        for (int i = 0; i < meters; i++) {
            sources.add(new PushSource("meter-" + i, match.apply(i), keys(guek)));
        }
        return sources;
    }

    private static DlmsClientSettings keys(String guek) {
        return DlmsClientSettings.builder().blockCipherKey(guek).authenticationKey(GAK).build();
    }

    /** The simulator's system title of meter i: "GRX" and i in five bytes. */
    private static byte[] systemTitle(int i) {
        byte[] st = {'G', 'R', 'X', 0, 0, 0, 0, 0};
        for (int b = 7, v = i; b >= 3; b--, v >>>= 8) {
            st[b] = (byte) v;
        }
        return st;
    }
}
