package io.dlmsgateway.cli;

import static io.dlmsgateway.cli.ChildGateway.freePort;
import static io.dlmsgateway.cli.ChildGateway.javaCommand;
import static io.dlmsgateway.cli.ChildGateway.writeConfigFiles;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} with a {@code metrics} section, as the README's production section has it: /metrics and the health
 * endpoints answer on the configured port, readiness names why ThingsBoard is not connected, and a SIGTERM stops it
 * all with exit 0.
 */
class RunWithMetricsTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesMetricsAndHealthAndStopsCleanly() throws Exception {
        int metricsPort = freePort();
        Path config = writeConfigFiles(dir, freePort(), List.of("{\"name\": \"m1\", \"host\": \"127.0.0.1\","
                + " \"port\": " + freePort() + ", \"measurements\": [\"voltage_l1\"]}"));
        Files.writeString(config, Files.readString(config) + """
                metrics:
                  enabled: true
                  port: %d
                """.formatted(metricsPort));
        Path logback = ChildGateway.writeMessagesOnlyLogback(dir);
        Process gateway = new ProcessBuilder(javaCommand("-Dlogback.configurationFile=" + logback, "run", "--config",
                config.toString())).directory(dir.toFile()).redirectErrorStream(true).start();
        ChildOutput output = ChildOutput.of(gateway);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (output.lines().stream().noneMatch(l -> l.contains("Gateway started"))) {
                assertThat(gateway.isAlive()).as("running; output: %s", output.lines()).isTrue();
                assertThat(System.nanoTime()).as("started within 60 s: %s", output.lines()).isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(output.lines()).anyMatch(l -> l.contains("metrics at http://127.0.0.1:" + metricsPort
                    + "/metrics"));
            String base = "http://127.0.0.1:" + metricsPort;
            assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(base + "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("dlms_gateway_meters{state=\"configured\"} 1.0")
                    .contains("jvm_threads_live_threads");
            // no ThingsBoard listens on its port: not ready, and the reply says why and what to check
            HttpResponse<String> ready = get(base + "/health/ready");
            long readyDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!ready.body().contains("thingsboardProblem") && System.nanoTime() < readyDeadline) {
                Thread.sleep(100);
                ready = get(base + "/health/ready");
            }
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("\"thingsboardProblem\":\"connection refused\"");
        } finally {
            gateway.destroy(); // SIGTERM
            assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        output.awaitEnd(5_000);
        assertThat(gateway.exitValue()).as("exit after SIGTERM; output: %s", output.lines()).isZero();
    }

    private HttpResponse<String> get(String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
