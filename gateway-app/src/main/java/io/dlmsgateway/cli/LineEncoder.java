package io.dlmsgateway.cli;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Locale;

/**
 * The encoder of the shipped logback.xml: {@code text} lines with the given pattern, or {@code json}, one object per
 * line (logback's own JsonEncoder: level, logger, thread, time in epoch ms, the formatted message, the exception),
 * chosen by a property ({@code LOG_FORMAT}) rather than by which appender is referenced, since logback warns about
 * every appender a configuration defines and does not use.
 */
public final class LineEncoder extends EncoderBase<ILoggingEvent> {

    private String format = "text";
    private String pattern;
    private Encoder<ILoggingEvent> delegate;

    /** {@code text} or {@code json}. */
    public void setFormat(String format) {
        this.format = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
    }

    /** The pattern of {@code text} lines. */
    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    @Override
    public void start() {
        switch (format) {
            case "text" -> {
                PatternLayoutEncoder text = new PatternLayoutEncoder();
                text.setPattern(pattern);
                delegate = text;
            }
            case "json" -> {
                JsonEncoder json = new JsonEncoder();
                json.setWithSequenceNumber(false);
                json.setWithNanoseconds(false);
                json.setWithContext(false);
                json.setWithArguments(false);
                json.setWithMessage(false);
                json.setWithFormattedMessage(true);
                delegate = json;
            }
            default -> {
                addError("log format '" + format + "' is neither text nor json");
                return;
            }
        }
        delegate.setContext(getContext());
        delegate.start();
        super.start();
    }

    @Override
    public void stop() {
        if (delegate != null) {
            delegate.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return delegate.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return delegate.encode(event);
    }

    @Override
    public byte[] footerBytes() {
        return delegate.footerBytes();
    }
}
