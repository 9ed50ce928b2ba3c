package io.dlmsgateway.gateway.internal;

/**
 * Text from ThingsBoard made safe for one log line: a device name or a value chosen by whoever sends updates must not
 * break a line in two (and forge the next one), nor fill the log. Control characters are escaped and the text is cut
 * after {@link #MAX_CHARS} characters with its full length said.
 *
 * <p>Threading: stateless.
 */
public final class LogLine {

    static final int MAX_CHARS = 200;

    private LogLine() {
    }

    public static String text(String text) {
        if (text == null) {
            return "null";
        }
        int shown = Math.min(text.length(), MAX_CHARS);
        StringBuilder out = new StringBuilder(shown + 16);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > shown) {
            out.append("...(").append(text.length()).append(" chars)");
        }
        return out.toString();
    }
}
