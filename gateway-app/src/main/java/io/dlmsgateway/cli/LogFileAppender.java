package io.dlmsgateway.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;

/**
 * The shipped logback.xml's optional rotating file: off (it opens nothing and takes every event as done) while its
 * file is empty, which is what {@code ${LOG_FILE:-}} gives when {@code LOG_FILE} is not set. One appender that is
 * always referenced, because logback warns about a defined appender that is not.
 */
public final class LogFileAppender extends RollingFileAppender<ILoggingEvent> {

    private boolean off;

    @Override
    public void start() {
        String file = getFile();
        off = file == null || file.isBlank();
        if (off) {
            started = true;
            return;
        }
        super.start();
    }

    @Override
    public void stop() {
        if (off) {
            started = false;
            return;
        }
        super.stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!off) {
            super.append(event);
        }
    }
}
