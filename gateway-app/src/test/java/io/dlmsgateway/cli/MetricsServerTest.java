package io.dlmsgateway.cli;

import static io.dlmsgateway.gateway.ThingsBoardStandIn.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.sim.MeterSimulator;
import io.dlmsgateway.dlms.sim.SimulatorOptions;
import io.dlmsgateway.gateway.DlmsGateway;
import io.dlmsgateway.gateway.GatewayFixture;
import io.dlmsgateway.gateway.GatewayOptions;
import io.dlmsgateway.gateway.GatewaySettings;
import io.dlmsgateway.gateway.MetricsOptions;
import io.dlmsgateway.gateway.ThingsBoardStandIn;
import io.dlmsgateway.spool.SpoolOptions;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import io.dlmsgateway.thingsboard.broker.EmbeddedBroker;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running gateway's {@code /metrics}, scraped with a real HTTP client and read as the Prometheus text exposition
 * format says, and its health endpoints, before and after ThingsBoard goes away.
 */
class MetricsServerTest {

    /** One sample line of the text format: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    record Sample(String name, Map<String, String> labels, double value) {
    }

    @Test
    void scrapesTheGatewaysSeriesAndTellsReadinessByThingsBoard() throws Exception {
        ThingsBoardStandIn thingsBoard = new ThingsBoardStandIn();
        EmbeddedBroker broker = thingsBoard.start();
        try (MeterSimulator simulator = MeterSimulator.start(SimulatorOptions.builder().host("127.0.0.1").basePort(0)
                .meterCount(3).framing(Framing.WRAPPER).workerThreads(1).build())) {
            PrometheusMeterRegistry registry = MetricsServer.newRegistry();
            GatewaySettings settings = new GatewaySettings(
                    GatewayFixture.devices(simulator, Duration.ofMillis(300), Duration.ofSeconds(2)),
                    ThingsBoardSettings.builder().host("127.0.0.1").port(broker.port())
                            .accessToken(GatewayFixture.TOKEN).qos(1).build(),
                    SpoolOptions.file(dir.resolve("spool")), Optional.empty(), Duration.ofMillis(50));
            GatewayOptions options = GatewayOptions.builder().fleet(GatewayFixture.quick().fleet())
                    .transport(GatewayFixture.quick().transport()).metrics(MetricsOptions.of(registry)).build();
            try (DlmsGateway gateway = DlmsGateway.start(settings, options);
                 MetricsServer server = MetricsServer.start("127.0.0.1", 0, gateway.fleet().resources().eventLoops(),
                         registry, gateway::statistics, gateway.transport()::connectionProblem)) {
                String base = "http://127.0.0.1:" + server.address().getPort();
                awaitTrue(Duration.ofSeconds(30), () -> gateway.readingsPublished() >= 6, "readings published");
                awaitTrue(Duration.ofSeconds(10), () -> get(base + "/health/ready").statusCode() == 200,
                        "ready while ThingsBoard is connected");

                HttpResponse<String> metrics = get(base + "/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                        t -> assertThat(t).startsWith("text/plain"));
                List<Sample> samples = parse(metrics.body());
                assertThat(value(samples, "dlms_gateway_meters", Map.of("state", "configured"))).isEqualTo(3);
                assertThat(value(samples, "dlms_gateway_meters", Map.of("state", "up"))).isEqualTo(3);
                assertThat(value(samples, "dlms_gateway_polls_total", Map.of("result", "success"))).isPositive();
                assertThat(value(samples, "dlms_gateway_thingsboard_connected", Map.of())).isEqualTo(1);
                assertThat(value(samples, "dlms_gateway_readings_published_total", Map.of())).isPositive();
                assertThat(value(samples, "dlms_gateway_spool_failing", Map.of())).isZero();
                assertThat(value(samples, "jvm_memory_used_bytes", Map.of("area", "heap", "id",
                        samples.stream().filter(s -> s.name.equals("jvm_memory_used_bytes")
                                && "heap".equals(s.labels.get("area"))).findFirst().orElseThrow().labels.get("id"))))
                        .isPositive();
                // the poll latency histogram: cumulative buckets ending in +Inf = _count
                List<Sample> buckets = samples.stream()
                        .filter(s -> s.name.equals("dlms_gateway_poll_latency_seconds_bucket")).toList();
                assertThat(buckets).hasSizeGreaterThan(5);
                for (int i = 1; i < buckets.size(); i++) {
                    assertThat(buckets.get(i).value).isGreaterThanOrEqualTo(buckets.get(i - 1).value);
                }
                assertThat(buckets.get(buckets.size() - 1).labels).containsEntry("le", "+Inf");
                assertThat(buckets.get(buckets.size() - 1).value)
                        .isEqualTo(value(samples, "dlms_gateway_poll_latency_seconds_count", Map.of()));
                assertThat(value(samples, "dlms_gateway_delivery_latency_seconds_count", Map.of())).isPositive();
                assertThat(samples).noneMatch(s -> s.labels.containsKey("device"))
                        .as("no per-device series unless asked for");

                assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);
                broker.close();
                awaitTrue(Duration.ofSeconds(10), () -> get(base + "/health/ready").statusCode() == 503,
                        "not ready once ThingsBoard is gone");
                assertThat(get(base + "/health/ready").body()).contains("\"thingsboard\":\"not connected\"")
                        .contains("\"thingsboardProblem\":\"connection refused\"")
                        .contains("\"check\":\"check that ThingsBoard's MQTT transport runs");
                assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);
                List<Sample> down = parse(get(base + "/metrics").body());
                assertThat(value(down, "dlms_gateway_thingsboard_problem", Map.of("kind", "connection_refused")))
                        .isEqualTo(1);
                assertThat(value(down, "dlms_gateway_thingsboard_problem", Map.of("kind", "authentication_refused")))
                        .isZero();
                assertThat(get(base + "/nothing").statusCode()).isEqualTo(404);
            }
        } finally {
            broker.close();
        }
    }

    private HttpResponse<String> get(String uri) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text exposition format: comments (# HELP, # TYPE) and blank lines aside, every line is one sample. */
    static List<Sample> parse(String body) {
        List<Sample> samples = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a sample line: %s", line).isTrue();
            Map<String, String> labels = new HashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            String v = m.group(4);
            samples.add(new Sample(m.group(1), labels, v.equals("+Inf") ? Double.POSITIVE_INFINITY
                    : v.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(v)));
        }
        return samples;
    }

    private static double value(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name.equals(name) && s.labels.entrySet().containsAll(labels.entrySet()))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + name + labels)).value;
    }
}
