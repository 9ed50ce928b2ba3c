package io.dlmsgateway.resources;

/**
 * Text from outside made safe for one log line. A meter's name as the host application gave it, a reason that quotes
 * a meter's reply, a device name or RPC method chosen by whoever sends to ThingsBoard: none may break a line in two
 * (and forge the next one). The libraries cannot count on their host's logging backend to do it; the gateway's own
 * logback.xml escapes every message as well.
 *
 * <p>Threading: stateless.
 */
public final class LogText {

    /** How much of a text from the network {@link #remote} shows: enough to recognise it, not enough to fill a log. */
    public static final int REMOTE_MAX_CHARS = 160;

    private LogText() {
    }

    /**
     * {@code text} with line breaks, other control characters and bidirectional overrides escaped ({@code \n},
     * {@code \r}, {@code \t}, {@code \\u001b}); {@code "null"} for null. Text without any comes back as it is,
     * without a copy.
     */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        int i = 0;
        while (i < text.length() && !isControl(text.charAt(i))) {
            i++;
        }
        return i == text.length() ? text : escape(text, i, text.length(), new StringBuilder(text.length() + 8))
                .toString();
    }

    /**
     * As {@link #escape(String)}, cut after {@link #REMOTE_MAX_CHARS} characters with the full length said: for text
     * whoever sends it may make as long as a message allows.
     */
    public static String remote(String text) {
        if (text == null || text.length() <= REMOTE_MAX_CHARS) {
            return escape(text);
        }
        return escape(text, 0, REMOTE_MAX_CHARS, new StringBuilder(REMOTE_MAX_CHARS + 24))
                .append("...(").append(text.length()).append(" chars)").toString();
    }

    private static StringBuilder escape(String text, int clean, int end, StringBuilder out) {
        out.append(text, 0, clean);
        for (int i = clean; i < end; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (isControl(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Control characters, line and paragraph separators, and the bidirectional overrides and isolates (which make a
     * terminal show a line other than the one written).
     */
    private static boolean isControl(char c) {
        if (c >= 0x20 && c < 0x7F) {
            return false; // the common case, decided without a table lookup
        }
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
    }
}
