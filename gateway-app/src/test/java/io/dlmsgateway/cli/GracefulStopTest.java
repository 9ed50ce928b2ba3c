package io.dlmsgateway.cli;

import static io.dlmsgateway.cli.ChildGateway.freePort;
import static io.dlmsgateway.cli.ChildGateway.javaCommand;
import static io.dlmsgateway.cli.ChildGateway.writeConfigFiles;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A clean stop of {@code run} exits 0, whether by SIGTERM (what systemd sends) or Ctrl-C (SIGINT), so a service
 * manager counts it as success; left to the JVM's defaults it exits 143 or 130. A second signal during the stop ends
 * the process at once with the signal's code.
 */
class GracefulStopTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aStopBySignalExitsZero(String signal) throws Exception {
        Process gateway = startGateway();
        ChildOutput output = ChildOutput.of(gateway);
        awaitLine(gateway, output, "Gateway started");
        kill(signal, gateway.pid());
        assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).as("stopped; output: %s", output.lines()).isTrue();
        output.awaitEnd(5_000);
        assertThat(gateway.exitValue()).as("exit code after SIG%s; output: %s", signal, output.lines()).isZero();
        assertThat(output.lines()).anyMatch(l -> l.contains("[DLMSConnector] Stopped:"));
    }

    private Process startGateway() throws Exception {
        // a meter that refuses connections and a ThingsBoard that is not there: the stop waits for neither
        Path config = writeConfigFiles(dir, freePort(), List.of(
                "{\"name\": \"m1\", \"host\": \"127.0.0.1\", \"port\": " + freePort()
                        + ", \"measurements\": [\"voltage_l1\"]}"));
        Path logback = ChildGateway.writeMessagesOnlyLogback(dir);
        return new ProcessBuilder(javaCommand("-Dlogback.configurationFile=" + logback, "run", "--config",
                config.toString())).directory(dir.toFile()).redirectErrorStream(true).start();
    }

    private static void awaitLine(Process process, ChildOutput output, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (output.lines().stream().noneMatch(l -> l.contains(text))) {
            assertThat(process.isAlive()).as("running; output: %s", output.lines()).isTrue();
            assertThat(System.nanoTime()).as("'%s' within 60 s; output: %s", text, output.lines())
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void kill(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s", signal).isTrue();
    }
}
