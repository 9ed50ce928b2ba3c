package io.dlmsgateway.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the tests that run the gateway in a child JVM (to kill it with SIGKILL, as an operator's crash would) share:
 * the command line and the configuration files they start it with.
 */
final class ChildGateway {

    private ChildGateway() {
    }

    /** A JVM on the test classpath: one system property, then the gateway's command line. */
    static List<String> javaCommand(String property, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), property, "-cp", System.getProperty("java.class.path"),
                "io.dlmsgateway.cli.DlmsGatewayCommand"));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Writes {@code dlms_connector.json} with the given device objects and a {@code tb_gateway.yaml} for a broker on
     * {@code 127.0.0.1:brokerPort}, with a file spool under {@code dir/data/spool}; returns the YAML's path.
     */
    static Path writeConfigFiles(Path dir, int brokerPort, List<String> devices) throws IOException {
        Files.writeString(dir.resolve("dlms_connector.json"), "{\"devices\": [" + String.join(",\n", devices) + "]}");
        return Files.writeString(dir.resolve("tb_gateway.yaml"), """
                thingsboard:
                  host: 127.0.0.1
                  port: %d
                  security:
                    type: accessToken
                    accessToken: "GATEWAY_TOKEN"
                  qos: 1
                connectors:
                  - name: "DLMS Connector"
                    type: dlms
                    configuration: "dlms_connector.json"
                storage:
                  type: file
                  path: data/spool
                """.formatted(brokerPort));
    }

    /**
     * Writes a logback configuration that prints the gateway's own lines at INFO as bare messages (no time, no
     * stack trace) and nothing else, for tests that read a child gateway's output; returns its path.
     */
    static Path writeMessagesOnlyLogback(Path dir) throws IOException {
        return Files.writeString(dir.resolve("logback-child.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%msg%nopex%n</pattern></encoder>
                  </appender>
                  <logger name="io.dlmsgateway" level="INFO"/>
                  <root level="OFF"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
