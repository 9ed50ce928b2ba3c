package io.dlmsgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.dlmsgateway.testing.BlockHoundExtension;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.Future;
import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import reactor.blockhound.BlockingOperationError;

/**
 * The shipped logback.xml lets an event loop log without waiting for the console. Standard error is pointed at a real
 * file for the test, because under surefire it is an in-memory buffer that BlockHound cannot see block.
 */
class ProductionLoggingTest {

    @TempDir
    Path dir;

    private PrintStream originalErr;
    private PrintStream fileErr;
    private Path console;
    private NioEventLoopGroup group;
    private LoggerContext context;

    @BeforeEach
    void pointStandardErrorAtAFile() throws IOException {
        console = dir.resolve("console.log");
        originalErr = System.err;
        fileErr = new PrintStream(new FileOutputStream(console.toFile()), true, StandardCharsets.UTF_8);
        System.setErr(fileErr);
        group = new NioEventLoopGroup(1);
    }

    @AfterEach
    void restore() {
        if (context != null) {
            context.stop();
        }
        System.setErr(originalErr);
        fileErr.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Logger configure(InputStream configuration) throws JoranException {
        context = new LoggerContext();
        context.setName("production-logging-test");
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // as SLF4J's binding would
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(configuration);
        return context.getLogger("io.dlmsgateway.meter");
    }

    private Future<?> logOnTheEventLoop(Logger log) {
        Future<?> task = group.submit(() -> log.warn("meter-7 timed out"));
        assertThat(task.awaitUninterruptibly(5, TimeUnit.SECONDS)).isTrue();
        return task;
    }

    @Test
    void shippedConfigurationNeverWritesTheConsoleOnAnEventLoop() throws Exception {
        Logger log;
        try (InputStream shipped = ProductionLoggingTest.class.getResourceAsStream("/logback.xml")) {
            assertThat(shipped).as("gateway-core's logback.xml on the class path").isNotNull();
            log = configure(shipped);
        }
        assertThat(context.getLogger("ROOT").getAppender("ASYNC"))
                .isInstanceOf(ch.qos.logback.classic.AsyncAppender.class);

        Future<?> task = logOnTheEventLoop(log);

        assertThat(task.cause()).as("the event loop only queued the event").isNull();
        context.stop(); // the worker drains the queue to the console
        assertThat(Files.readString(console)).contains("WARN  i.dlmsgateway.meter - meter-7 timed out");
        // and BlockHoundExtension's afterEach finds no blocking call either
    }

    @Test
    void aSynchronousConsoleAppenderWouldBeCaught() throws Exception {
        String synchronous = """
                <configuration>
                  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>%-5level %logger{20} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="STDERR"/></root>
                </configuration>""";
        Logger log = configure(new ByteArrayInputStream(synchronous.getBytes(StandardCharsets.UTF_8)));

        Future<?> task = logOnTheEventLoop(log);

        assertThat(task.cause()).isInstanceOf(BlockingOperationError.class)
                .hasMessageContaining("java.io.FileOutputStream");
        assertThatThrownBy(BlockHoundExtension::verifyNoBlockingCalls).hasMessageContaining("FileOutputStream");
    }

    /**
     * A device name with a line break and a terminal escape (from a file, or from ThingsBoard) stays on its line: the
     * shipped pattern escapes control characters, so no second line can pass for one of the gateway's own.
     */
    @Test
    void aNameWithALineBreakCannotSplitOrForgeALine() throws Exception {
        Logger log;
        try (InputStream shipped = ProductionLoggingTest.class.getResourceAsStream("/logback.xml")) {
            log = configure(shipped);
        }
        // the shipped file configures without a warning of logback's own (which would print its whole status)
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(status -> status.getLevel() >= ch.qos.logback.core.status.Status.WARN);
        log.warn("pollingInterval for unknown device '{}' ignored", "m1\n12:00:00.000 ERROR forged line\r\u001b[2J");
        context.stop();
        List<String> lines = Files.readAllLines(console);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).endsWith(
                "pollingInterval for unknown device 'm1\\n12:00:00.000 ERROR forged line\\r\\u001b[2J' ignored");
    }

    /** The same for the messages inside a stack trace: its own line breaks stay, the messages' are escaped. */
    @Test
    void anExceptionMessageWithALineBreakCannotForgeALine() throws Exception {
        Logger log;
        try (InputStream shipped = ProductionLoggingTest.class.getResourceAsStream("/logback.xml")) {
            log = configure(shipped);
        }
        IOException cause = new IOException("meter said\n12:00:00.000 ERROR forged cause");
        log.error("read failed", new IllegalStateException("reply\n12:00:00.000 ERROR forged", cause));
        context.stop();
        List<String> lines = Files.readAllLines(console);
        assertThat(lines).noneMatch(l -> l.startsWith("12:00:00.000"));
        assertThat(lines).contains("java.lang.IllegalStateException: reply\\n12:00:00.000 ERROR forged",
                "Caused by: java.io.IOException: meter said\\n12:00:00.000 ERROR forged cause");
        assertThat(lines).anyMatch(l -> l.startsWith("\tat io.dlmsgateway.cli.ProductionLoggingTest"));
    }
}
