package io.dlmsgateway.thingsboard.internal;

/**
 * Text from the network made safe for one log line: a device name or method chosen by whoever sends RPCs must not
 * break a line in two (and forge the next one), nor fill the log. Control characters become {@code \n}, {@code \r},
 * {@code \t} or a four-digit hex escape, and the text is cut after {@link #MAX_CHARS} characters, its length said.
 *
 * <p>Threading: stateless.
 */
final class LogText {

    static final int MAX_CHARS = 120;

    private LogText() {
    }

    static String of(String text) {
        if (text == null) {
            return "null";
        }
        int shown = Math.min(text.length(), MAX_CHARS);
        StringBuilder out = new StringBuilder(shown + 16);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (text.length() > shown) {
            out.append("...(").append(text.length()).append(" chars)");
        }
        return out.toString();
    }
}
