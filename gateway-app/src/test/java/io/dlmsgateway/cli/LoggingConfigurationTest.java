package io.dlmsgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code config/logback.xml} does what the README says its settings do: dated lines with the zone, a
 * level per area, JSON lines for collectors, an optional rotating file, and no file unless one is asked for.
 */
class LoggingConfigurationTest {

    private static final Path SHIPPED = Path.of("../config/logback.xml");

    @TempDir
    Path dir;

    private LoggerContext context;
    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        if (context != null) {
            context.stop();
        }
        System.setErr(originalErr);
    }

    private LoggerContext configure(Map<String, String> properties) throws Exception {
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        properties.forEach(context::putProperty);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(SHIPPED.toFile());
        return context;
    }

    private List<String> linesAfterStop() {
        context.stop(); // flushes the asynchronous appender
        context = null;
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void textLinesCarryTheDateAndZoneAndEachAreaHasItsLevel() throws Exception {
        configure(Map.of("LOG_LEVEL", "WARN", "LOG_LEVEL_SPOOL", "DEBUG"));
        context.getLogger("io.dlmsgateway.spool.Spool").debug("spool detail");
        context.getLogger("io.dlmsgateway.fleet.DLMSDevice").info("meter detail");
        context.getLogger("io.dlmsgateway.fleet.DLMSDevice").warn("meter trouble\nforged line");
        assertThat(context.getStatusManager().getCopyOfStatusList()).as("configured without a warning")
                .noneMatch(status -> status.getLevel() >= ch.qos.logback.core.status.Status.WARN);
        // one writer thread for console and file: the root has one appender, asynchronous
        List<ch.qos.logback.core.Appender<?>> root = new java.util.ArrayList<>();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(root::add);
        assertThat(root).singleElement().isInstanceOf(ch.qos.logback.classic.AsyncAppender.class);
        List<String> lines = linesAfterStop();
        assertThat(lines).hasSize(2);
        assertThat(dir.toFile().list()).as("no file unless LOG_FILE names one").isEmpty();
        assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) DEBUG .*"
                + "spool detail");
        assertThat(lines.get(1)).contains("WARN").endsWith("meter trouble\\nforged line");
        assertThat(context == null).isTrue();
    }

    @Test
    void jsonLinesForCollectorsAndARotatingFile() throws Exception {
        Path file = dir.resolve("logs/gateway.log");
        configure(Map.of("LOG_FORMAT", "json", "LOG_FILE", file.toString()));
        context.getLogger("io.dlmsgateway.thingsboard.x").warn("ThingsBoard said \"no\"\nat {}", "10:00");
        List<String> lines = linesAfterStop();
        assertThat(lines).hasSize(1);
        JsonNode json = new ObjectMapper().readTree(lines.get(0));
        assertThat(json.path("level").asText()).isEqualTo("WARN");
        assertThat(json.path("loggerName").asText()).isEqualTo("io.dlmsgateway.thingsboard.x");
        assertThat(json.path("formattedMessage").asText()).isEqualTo("ThingsBoard said \"no\"\nat 10:00");
        assertThat(json.path("timestamp").asLong()).isPositive();
        assertThat(Files.readAllLines(file)).singleElement().asString()
                .contains(" WARN ").endsWith("ThingsBoard said \"no\"\\nat 10:00");
    }
}
