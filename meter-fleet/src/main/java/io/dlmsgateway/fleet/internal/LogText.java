package io.dlmsgateway.fleet.internal;

/**
 * Text from outside (a meter's name as the host application gave it, a failure's reason that quotes a meter) made safe
 * for one log line: line breaks and other control characters escaped. The fleet is a library and cannot count on
 * its host's logging backend to do it (the gateway's own logback.xml does, for every line).
 */
public final class LogText {

    private LogText() {
    }

    /** {@code text} with {@code \n}, {@code \r}, {@code \t} and other control characters escaped. */
    public static String escape(String text) {
        int i = 0;
        while (i < text.length() && !isControl(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 8).append(text, 0, i);
        for (; i < text.length(); i++) {
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
        return out.toString();
    }

    private static boolean isControl(char c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }
}
