package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.fleet.FleetOptions;
import io.dlmsgateway.gateway.DeviceInputRules;
import io.dlmsgateway.gateway.DlmsGateway;
import io.dlmsgateway.gateway.GatewayOptions;
import io.dlmsgateway.thingsboard.ConnectionState;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 14: a shared attribute {@code pollingInterval} of 10^12 or Long.MAX_VALUE was accepted although the
 * configuration caps it at one day, and the meter went silent. Values from ThingsBoard now keep the configuration's
 * own rule, refused with the reason {@code check-config} gives for the same value in the file.
 */
class SharedAttributeRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final DeviceInputRules rules = ConfigBinding.inputRules();

    @TempDir
    Path dir;

    private String refusal(String value) throws Exception {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> rules.pollingInterval(JSON.readTree(value)));
        assertThat(e).as("refused: %s", value).isNotNull();
        return e.getMessage();
    }

    @Test
    void valuesBeyondTheConfigurationsRangeOrOfTheWrongTypeAreRefusedWithItsReason() throws Exception {
        assertThat(refusal("1000000000000")).isEqualTo("pollingInterval: 1000000000000 is out of range 100..86400000");
        assertThat(refusal(Long.toString(Long.MAX_VALUE))).contains("is out of range 100..86400000");
        assertThat(refusal("99")).isEqualTo("pollingInterval: 99 is out of range 100..86400000");
        assertThat(refusal("1.5")).startsWith("pollingInterval: expected a whole number");
        assertThat(refusal("\"900\"")).startsWith("pollingInterval: expected a whole number");
        assertThat(refusal("null")).contains("expected a whole number");
        assertThat(rules.pollingInterval(JSON.readTree("900"))).isEqualTo(Duration.ofMillis(900));
        assertThat(rules.pollingInterval(JSON.readTree("86400000"))).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void theRefusalSaysWhatCheckConfigSaysOfTheSameValueInTheFile() throws Exception {
        Path main = new ConfigFixture(dir).withDevices(
                ConfigFixture.DEVICE.formatted("m1", "").replace("\"pollingInterval\": 5000",
                        "\"pollingInterval\": 1000000000000"));
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigFixture.loader(Map.of()).load(main));
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(refusal("1000000000000"))
                .isEqualTo("pollingInterval: " + p.message()));
    }

    @Test
    void aMeterKeepsItsScheduleWhenThingsBoardSendsAnIntervalBeyondTheRange() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger connector = (Logger) LoggerFactory.getLogger("io.dlmsgateway.gateway.DLMSConnector");
        connector.addAppender(log);
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0)
                .meterCount(1).framing(Framing.WRAPPER).workerThreads(1).build());
             EmbeddedBroker broker = EmbeddedBroker.builder().host("127.0.0.1").port(0).start()) {
            String yaml = ConfigFixture.MAIN_YAML.replace("  port: 1883\n", "  port: " + broker.port() + "\n")
                    .replace("  host: localhost\n", "  host: 127.0.0.1\n") + "storage:\n  type: memory\n";
            String device = ConfigFixture.DEVICE.formatted("m1", "")
                    .replace("\"192.168.1.127\"", "\"127.0.0.1\"")
                    .replace("\"port\": 3333", "\"port\": " + simulator.addresses().get(0).getPort())
                    .replace("\"pollingInterval\": 5000", "\"pollingInterval\": 200");
            Path main = new ConfigFixture(dir).write(yaml, "{\"devices\": [" + device + "]}");
            GatewayOptions quick = GatewayOptions.builder()
                    .fleet(FleetOptions.builder().reconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                            .build())
                    .transport(b -> b.sessionLimitsTimeout(Duration.ZERO).closeTimeout(Duration.ofSeconds(1)))
                    .statusLogInterval(Duration.ZERO)
                    .build();
            try (DlmsGateway gateway = DlmsGateway.start(ConfigBinding.gatewaySettings(
                    ConfigFixture.loader(Map.of()).load(main)), quick)) {
                gateway.transport().connectionStates().filter(s -> s == ConnectionState.CONNECTED)
                        .blockFirst(Duration.ofSeconds(20));
                awaitPolls(gateway, 2);

                broker.publish("v1/gateway/attributes",
                        "{\"device\":\"m1\",\"data\":{\"pollingInterval\":1000000000000}}".getBytes(StandardCharsets.UTF_8));
                awaitTrue(() -> log.list.stream().anyMatch(e -> e.getFormattedMessage().contains(
                        "shared attribute pollingInterval of 'm1' refused: pollingInterval: 1000000000000 is out of"
                                + " range 100..86400000; the meter keeps polling every 200 ms")));
                // still polled every 200 ms: a few more polls within seconds
                awaitPolls(gateway, polls(gateway) + 3);
            }
        } finally {
            connector.detachAppender(log);
        }
    }

    private static long polls(DlmsGateway gateway) {
        return gateway.fleet().deviceStatistics("m1").orElseThrow().polls();
    }

    private static void awaitPolls(DlmsGateway gateway, long atLeast) throws InterruptedException {
        awaitTrue(() -> polls(gateway) >= atLeast);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within 15 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
