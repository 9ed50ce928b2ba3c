package io.dlmsgateway.config.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The line each value of a file starts on, by path ({@code devices[3].port}). Jackson's trees forget where their
 * nodes came from, so a second streaming pass over the already-parsed file recovers it for problem reports.
 */
final class ValueLines {

    private final Map<String, Integer> lines;

    private ValueLines(Map<String, Integer> lines) {
        this.lines = lines;
    }

    static final ValueLines NONE = new ValueLines(Map.of());

    /** Indexes a parser positioned before the first token; an error half-way keeps what was indexed. */
    static ValueLines index(JsonParser parser) {
        Map<String, Integer> lines = new HashMap<>();
        try {
            if (parser.nextToken() != null) {
                walk(parser, "", lines);
            }
        } catch (IOException e) {
            // the tree parse already reported syntax errors; lines are a convenience
        }
        return new ValueLines(lines);
    }

    private static void walk(JsonParser parser, String path, Map<String, Integer> lines) throws IOException {
        lines.put(path, parser.currentTokenLocation().getLineNr());
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                walk(parser, path.isEmpty() ? name : path + "." + name, lines);
            }
        } else if (token == JsonToken.START_ARRAY) {
            int index = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                walk(parser, path + "[" + index++ + "]", lines);
            }
        }
    }

    /** The line of the value at {@code path}, or of its nearest enclosing value (a missing field's object); 0 if none. */
    int lineOf(String path) {
        String at = path;
        while (true) {
            Integer line = lines.get(at);
            if (line != null && line > 0) {
                return line;
            }
            if (at.isEmpty()) {
                return 0;
            }
            at = parentOf(at);
        }
    }

    private static String parentOf(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? "" : path.substring(0, cut);
    }
}
