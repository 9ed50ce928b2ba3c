package io.dlmsgateway.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlmsgateway.cli.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HarnessOptionsTest {

    @Test
    void durationsAsPeopleWriteThem() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(DurationConverter.parse(" 2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> DurationConverter.parse("five seconds"))
                .isInstanceOf(CommandLine.TypeConversionException.class).hasMessageContaining("5s");
    }

    @Test
    void targetJvmOptionsAreTheGatewaysOwnFileWithoutComments() throws Exception {
        assertThat(LoadHarness.jvmOptions("# a comment\n-XX:+UseSerialGC\n\n  -Xmx512m   # heap\n"))
                .containsExactly("-XX:+UseSerialGC", "-Xmx512m");
        // the file start_gateway.sh runs the gateway with, found from the module's directory as well
        Path file = Path.of("../config/jvm.options");
        assertThat(LoadHarness.jvmOptions(java.nio.file.Files.readString(file)))
                .contains("-XX:+UseSerialGC").allMatch(option -> option.startsWith("-") && !option.contains(" "));
    }

    @Test
    void javaFeatureFromTheReleaseFile() {
        assertThat(JdkLocator.feature("IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"25.0.3\"\n")).hasValue(25);
        assertThat(JdkLocator.feature("JAVA_VERSION=\"17.0.15\"")).hasValue(17);
        assertThat(JdkLocator.feature("nothing here")).isEmpty();
        assertThat(JdkLocator.find(Runtime.version().feature())).hasValue(Path.of(System.getProperty("java.home")));
    }

    @Test
    void everyKnownTargetHasItsCommandLine() {
        TargetLaunch launch = new TargetLaunch(10, "127.0.0.1", 21000, io.dlmsgateway.dlms.Framing.HDLC,
                Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ofSeconds(3),
                Path.of("/jdk"), java.util.List.of("-Xmx2g"), "bench.jar", Path.of("/tmp"),
                Path.of("dlms-gateway.jar"), 23883);
        JvmTarget virtual = (JvmTarget) Targets.byName(Targets.BASELINE_VIRTUAL).orElseThrow();

        assertThat(String.join(" ", virtual.command(launch))).isEqualTo("/jdk/bin/java -Xmx2g"
                + " -Ddlms.bench.classHistogram=/tmp/baseline-virtual-class-histogram.txt -cp bench.jar"
                + " io.dlmsgateway.bench.baseline.BlockingBaselineTarget --name baseline-virtual --meters 10"
                + " --host 127.0.0.1 --port 21000 --framing HDLC --interval-ms 5000 --warmup-ms 20000"
                + " --measure-ms 60000 --grace-ms 3000 --threads virtual");
        assertThat(virtual.minimumJava()).isEqualTo(21);
        assertThat(Targets.names()).containsExactly("fleet", "gateway", "baseline-threads", "baseline-virtual", "floor");
    }

    @Test
    void tenThousandMetersFitTwentyThousandDescriptorsOnlyWhenSplit() {
        assertThat(Simulators.defaultCount(10_000)).isEqualTo(2);
        assertThat(Simulators.defaultCount(8_000)).isEqualTo(1);
        assertThat(Simulators.largestShare(10_000, 2)).isEqualTo(5_000);
        assertThat(Simulators.first(10_000, 3, 1)).isEqualTo(3_333);
        assertThat(Simulators.largestShare(10_000, 3)).isEqualTo(3_334);

        java.util.OptionalLong limit = java.util.OptionalLong.of(20_000);
        assertThat(LoadHarness.checkOpenFileLimit(10_000, 2, limit)).isEmpty();
        assertThat(LoadHarness.checkOpenFileLimit(10_000, 1, limit)).hasValueSatisfying(
                message -> assertThat(message).contains("give more --simulators (at least 2)"));
        assertThat(LoadHarness.checkOpenFileLimit(25_000, 5, limit)).hasValueSatisfying(
                message -> assertThat(message).contains("in the target"));
    }

    @Test
    void brokerKeepsOutOfTheMetersPorts() {
        assertThat(LoadHarness.brokerPort(23883, 21000, 1000)).isEqualTo(23883);
        assertThat(LoadHarness.brokerPort(23883, 21000, 5000)).isEqualTo(26000);
    }

    @Test
    void theChaosSoakRunsTheGatewayTargetOnly() {
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine cli = new CommandLine(new LoadHarness()).setErr(new java.io.PrintWriter(err));
        assertThat(cli.execute("--chaos", "--compare", "fleet,gateway")).isEqualTo(2);
        assertThat(err.toString()).contains("--chaos runs the gateway target only");
        err.getBuffer().setLength(0);
        assertThat(cli.execute("--chaos", "--target", "fleet")).isEqualTo(2);
        assertThat(err.toString()).contains("--chaos runs the gateway target only");
    }

    @Test
    void theChaosSoaksBrokerKeepsSessionsAndQueuedMessagesAcrossARestart() {
        String conf = MosquittoBroker.persistentConfiguration(23883, Path.of("/tmp/soak/mosquitto-data"));
        assertThat(conf).contains("listener 23883 127.0.0.1\n", "persistence true\n",
                "persistence_location /tmp/soak/mosquitto-data/\n", "max_queued_messages 0\n")
                .doesNotContain("persistence false");
    }
}
