package io.dlmsgateway.cli;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import java.util.Arrays;

/**
 * {@code %safeEx} in logback.xml: a stack trace whose exception messages have their line breaks and control
 * characters escaped, like {@link EscapedMessageConverter} does for the message. A stack trace keeps its own line
 * breaks; only the messages inside it, which may quote a meter's reply or a ThingsBoard parameter, are escaped, so
 * that no line of a trace can pass for a log line of its own.
 */
public final class EscapedThrowableConverter extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy throwable) {
        return super.throwableProxyToString(new Escaped(throwable));
    }

    /** The throwable as logback sees it, with its messages (and its causes' and suppressed ones') escaped. */
    private record Escaped(IThrowableProxy delegate) implements IThrowableProxy {

        @Override
        public String getMessage() {
            return EscapedMessageConverter.escape(delegate.getMessage());
        }

        @Override
        public String getClassName() {
            return delegate.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return delegate.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return delegate.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            IThrowableProxy cause = delegate.getCause();
            return cause == null ? null : new Escaped(cause);
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = delegate.getSuppressed();
            return suppressed == null ? null
                    : Arrays.stream(suppressed).map(Escaped::new).toArray(IThrowableProxy[]::new);
        }

        @Override
        public boolean isCyclic() {
            return delegate.isCyclic();
        }
    }
}
