package io.dlmsgateway.cli;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.dlmsgateway.resources.LogText;

/**
 * {@code %safeMsg} in logback.xml: the message with line breaks and other control characters escaped
 * ({@code \n}, {@code \r}, {@code \t}, {@code \u001b}...), so that one event is always one line.
 *
 * <p>Log lines carry text the gateway does not control: device names from configuration files, device names and
 * parameters from ThingsBoard RPCs and attribute updates, what a meter or Gurux says about a failure. A line break in
 * any of them would start a line that looks like the gateway's own (a forged {@code ERROR}, or a split line that
 * log shippers cut in two), and terminal escapes would rewrite what an operator sees. Escaping here, where every
 * message passes, covers them all at once; check-config refuses such names in the first place.
 */
public final class EscapedMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return escape(super.convert(event));
    }

    /** {@code text} escaped as {@link LogText#escape} does; null stays null (logback's "no message"). */
    static String escape(String text) {
        return text == null ? null : LogText.escape(text);
    }
}
