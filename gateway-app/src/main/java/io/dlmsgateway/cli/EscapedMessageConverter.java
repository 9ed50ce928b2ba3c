package io.dlmsgateway.cli;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

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

    /** {@code text} with every control, line or paragraph separator and bidirectional override character escaped. */
    static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !needsEscape(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text; // the common case: nothing to copy
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean needsEscape(char c) {
        if (c >= 0x20 && c < 0x7F) {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
    }
}
