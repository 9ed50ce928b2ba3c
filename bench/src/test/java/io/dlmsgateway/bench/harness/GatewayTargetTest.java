package io.dlmsgateway.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlmsgateway.config.GatewayConfig;
import io.dlmsgateway.config.GatewayConfigLoader;
import io.dlmsgateway.dlms.Framing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayTargetTest {

    @Test
    void generatedConfigurationLoadsAsTheGatewayReadsIt(@TempDir Path dir) throws Exception {
        TargetLaunch launch = new TargetLaunch(3, "127.0.0.1", 21000, Framing.HDLC, Duration.ofSeconds(5),
                Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(3), Path.of("/jdk"), List.of(),
                "bench.jar", dir, Path.of("dlms-gateway.jar"), 23883);
        Files.writeString(dir.resolve("tb_gateway.yaml"), GatewayTarget.gatewayYaml(23884, dir));
        Files.writeString(dir.resolve("dlms_connector.json"), GatewayTarget.connectorJson(launch));

        GatewayConfig config = GatewayConfigLoader.withSystemEnvironment().load(dir.resolve("tb_gateway.yaml"));

        assertThat(config.thingsBoard().port()).isEqualTo(23884);
        assertThat(config.thingsBoard().statsSendPeriod()).isEmpty();
        assertThat(config.storage().path()).hasValue(dir.resolve("spool").toAbsolutePath());
        assertThat(config.enabledDevices()).hasSize(3);
        assertThat(config.enabledDevices().get(2).name()).isEqualTo("meter-2");
        assertThat(config.enabledDevices().get(2).port()).isEqualTo(21002);
        assertThat(config.enabledDevices().get(2).framing()).isEqualTo(Framing.HDLC);
        assertThat(config.enabledDevices().get(2).physicalAddress()).hasValue(18);
        assertThat(config.enabledDevices().get(2).pollingInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.enabledDevices().get(2).measurements()).hasSize(4);
    }

    @Test
    void readsTheGatewaysStopLineAndThreadNames() {
        String log = "07:02:39.234 INFO  i.d.g.DLMSConnector - [DLMSConnector] Stopped: readings spooled 1688,"
                + " published 1687; 1 left in the spool for the next start\n";
        assertThat(GatewayTarget.stoppedLine(log)).containsExactly(1688, 1687, 1);
        assertThat(GatewayTarget.stoppedLine("nothing")).containsExactly(-1, -1, -1);

        String dump = "\"main\" #1 prio=5 os_prio=0 cpu=1.0ms\n\"dlms-gateway-1-1\" #20 daemon prio=5\n"
                + "\"dlms-gateway-1-2\" #21 daemon prio=5\n\"VM Thread\" os_prio=0 cpu=3ms\n";
        assertThat(GatewayTarget.threadNames(dump)).containsEntry("dlms-gateway-#-#", 2).containsEntry("main", 1)
                .doesNotContainKey("VM Thread");
    }

    @Test
    void brokerConfigurationHasNoBoundsThatWouldDropMessages() {
        assertThat(MosquittoBroker.configuration(23883)).contains("listener 23883 127.0.0.1", "allow_anonymous true",
                "max_inflight_messages 0", "max_queued_messages 0");
    }

    @Test
    void readsHeapInfoOfJdk17AndOfJdk21AndLater() {
        java.util.regex.Matcher jdk17 = GatewayTarget.HEAP.matcher(
                " garbage-first heap   total 262144K, used 19834K [0x0000000780000000, 0x0000000800000000)");
        assertThat(jdk17.find()).isTrue();
        assertThat(jdk17.group(1)).isEqualTo("262144");
        java.util.regex.Matcher jdk25 = GatewayTarget.HEAP.matcher(
                "garbage-first heap   total reserved 6172672K, committed 393216K, used 12131K [0x0000000687400000");
        assertThat(jdk25.find()).isTrue();
        assertThat(jdk25.group(1)).isEqualTo("393216");
        assertThat(jdk25.group(2)).isEqualTo("12131");
    }

    @Test
    void sumsTheGenerationsOfTheSerialCollector() {
        String jdk17 = String.join("\n",
                " def new generation   total 116160K, used 6197K [0x0000000687400000, 0x000000068f200000)",
                "  eden space 103296K,   6% used [0x0000000687400000, 0x0000000687a0d748, 0x000000068d8e0000)",
                " tenured generation   total 258048K, used 100000K [0x0000000704d50000, 0x0000000714950000)",
                " Metaspace       used 313K, committed 512K, reserved 1114112K");
        assertThat(GatewayTarget.parseHeapInfo(jdk17))
                .containsExactly((116160L + 258048) * 1024, (6197L + 100000) * 1024);
        String jdk25 = String.join("\n",
                "DefNew     total 116160K, used 8263K [0x0000000687400000, 0x000000068f200000)",
                "Tenured    total 258048K, used 1166K [0x0000000704d50000, 0x0000000714950000)");
        assertThat(GatewayTarget.parseHeapInfo(jdk25))
                .containsExactly((116160L + 258048) * 1024, (8263L + 1166) * 1024);
        assertThat(GatewayTarget.parseHeapInfo("no heap here")).isNull();
    }
}
