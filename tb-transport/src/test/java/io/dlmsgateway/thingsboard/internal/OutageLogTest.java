package io.dlmsgateway.thingsboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dlmsgateway.thingsboard.ThingsBoardSettings;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Issue 14: reconnect attempts visible in the log at a sensible rate, not one line each, and not silent either. */
class OutageLogTest {

    private final AtomicLong now = new AtomicLong();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(HiveMqThingsBoardTransport.class);
    private final OutageLog outages = new OutageLog(ThingsBoardSettings.builder().host("tb.example").port(1883)
            .accessToken("t").build(), now::get);

    @BeforeEach
    void capture() {
        // the reconnect is reported at INFO, which the tests' configuration leaves out
        logger.setLevel(Level.INFO);
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void release() {
        logger.detachAppender(log);
        logger.setLevel(null);
    }

    @Test
    void anOutageIsOneWarningThenOneSummaryAMinuteWithTheCountThenTheReconnectWithItsLength() {
        outages.connected(3);
        ConnectException refused = new ConnectException("Connection refused");
        outages.failed(refused, 1_000);
        // ten minutes of attempts every ten seconds
        for (int i = 1; i <= 60; i++) {
            now.set(Duration.ofSeconds(10L * i).toNanos());
            outages.failed(refused, 10_000);
        }
        now.set(Duration.ofSeconds(605).toNanos());
        outages.connected(3);

        List<String> shown = log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(shown.get(1)).startsWith("Connection to ThingsBoard at tb.example:1883 lost: connection refused (Connection refused); check"
                        + " that ThingsBoard's MQTT transport runs")
                .contains("at most 10.0 s apart");
        assertThat(shown).filteredOn(m -> m.startsWith("Still no connection")).hasSize(10)
                .first().asString().contains("6 attempts failed in 60.0 s");
        assertThat(shown.get(shown.size() - 1))
                .startsWith("Reconnected to ThingsBoard at tb.example:1883 after 60 failed attempts in 605.0 s");
        assertThat(shown).hasSize(1 + 1 + 10 + 1);
    }

    @Test
    void theDefaultCapOfTheReconnectDelayIsTenSeconds() {
        ThingsBoardSettings settings = ThingsBoardSettings.builder().accessToken("t").build();
        assertThat(settings.reconnectMaxDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.reconnectInitialDelay()).isEqualTo(Duration.ofSeconds(1));
    }
}
