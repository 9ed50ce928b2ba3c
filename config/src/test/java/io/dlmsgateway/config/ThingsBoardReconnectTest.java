package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.thingsboard.ConnectionState;
import io.dlmsgateway.thingsboard.ThingsBoardTransport;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: after a ThingsBoard outage the gateway took 37.7 s to reconnect. The reconnect delay is capped by
 * {@code maxReconnectDelayMS} (10 s unless given), so a broker back after an outage is reached within the cap, plus
 * the MQTT client's jitter of up to a quarter of it, plus a margin. A real broker, stopped and restarted on its port.
 */
class ThingsBoardReconnectTest {

    /** Time for the TCP connect, the CONNACK and the subscriptions on a busy two-core machine. */
    private static final Duration MARGIN = Duration.ofMillis(1_500);

    @TempDir
    Path dir;

    @Test
    void aBrokerBackAfterAnOutageIsReconnectedWithinTheConfiguredCap() throws Exception {
        assertReconnectsWithinCap("  initialReconnectDelayMS: 100\n  maxReconnectDelayMS: 2000\n",
                Duration.ofSeconds(2), Duration.ofSeconds(8));
    }

    /** The default cap; long (about 50 s), so run on demand: {@code -Dtb.reconnect.default=true}. */
    @Test
    @EnabledIfSystemProperty(named = "tb.reconnect.default", matches = "true")
    void aBrokerBackAfterALongOutageIsReconnectedWithinTheDefaultCap() throws Exception {
        assertReconnectsWithinCap("", Duration.ofSeconds(10), Duration.ofSeconds(40));
    }

    private void assertReconnectsWithinCap(String reconnectFields, Duration cap, Duration outage) throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.builder().host("127.0.0.1").port(0).start()) {
            String yaml = ConfigFixture.MAIN_YAML.replace("  port: 1883\n", "  port: " + broker.port() + "\n")
                    .replace("  host: localhost\n", "  host: 127.0.0.1\n")
                    .replace("  qos: 1\n", "  qos: 1\n" + reconnectFields);
            Path main = new ConfigFixture(dir).write(yaml, "{\"devices\": [" + ConfigFixture.device("m1", "") + "]}");
            ThingsBoardConfig tb = ConfigFixture.loader(Map.of()).load(main).thingsBoard();
            ThingsBoardTransport transport = ThingsBoardTransport.create(ConfigBinding.thingsBoard(tb)
                    .sessionLimitsTimeout(Duration.ZERO).closeTimeout(Duration.ofSeconds(1)).build());
            try {
                transport.start();
                transport.connectionStates().filter(s -> s == ConnectionState.CONNECTED).blockFirst(outage);

                broker.stop();
                transport.connectionStates().filter(s -> s == ConnectionState.RECONNECTING)
                        .blockFirst(Duration.ofSeconds(10));
                // long enough for the delays to double up to the cap
                Thread.sleep(outage.toMillis());
                broker.restart();
                long restarted = System.nanoTime();
                Duration allowed = cap.plus(cap.dividedBy(4)).plus(MARGIN);
                transport.connectionStates().filter(s -> s == ConnectionState.CONNECTED)
                        .blockFirst(allowed.plusSeconds(30));
                Duration took = Duration.ofNanos(System.nanoTime() - restarted);
                System.out.printf("reconnected %d ms after the broker came back (cap %d ms)%n", took.toMillis(),
                        cap.toMillis());
                assertThat(took).isLessThanOrEqualTo(allowed);
            } finally {
                transport.close().block(Duration.ofSeconds(10));
            }
        }
    }
}
