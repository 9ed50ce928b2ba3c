package io.dlmsgateway.config.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The line some values of a file start on, by path ({@code devices[3].port}). Jackson's trees forget where their
 * nodes came from, so a streaming pass over the file recovers it for problem reports. Only the paths asked for (and
 * the objects around them, for a missing field) are kept.
 */
final class ValueLines {

    /** Opens a new parser over the file, positioned before its first token. */
    @FunctionalInterface
    interface Source {
        JsonParser open() throws IOException;
    }

    private final Map<String, Integer> lines;

    private ValueLines(Map<String, Integer> lines) {
        this.lines = lines;
    }

    static final ValueLines NONE = new ValueLines(Map.of());

    /** Indexes the lines of {@code paths} and their enclosing values; an error half-way keeps what was indexed. */
    static ValueLines index(Source source, Collection<String> paths) {
        Set<String> wanted = new HashSet<>();
        for (String path : paths) {
            for (String at = path; ; at = parentOf(at)) {
                if (!wanted.add(at) || at.isEmpty()) {
                    break;
                }
            }
        }
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = source.open()) {
            if (parser.nextToken() != null) {
                walk(parser, "", wanted, lines);
            }
        } catch (IOException | RuntimeException e) {
            // a syntax error is reported by the tree parse already; lines are a convenience
        }
        return new ValueLines(lines);
    }

    private static void walk(JsonParser parser, String path, Set<String> wanted, Map<String, Integer> lines)
            throws IOException {
        if (!wanted.contains(path)) {
            parser.skipChildren(); // nothing asked for inside: no path strings built for it
            return;
        }
        lines.put(path, parser.currentTokenLocation().getLineNr());
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                walk(parser, path.isEmpty() ? name : path + "." + name, wanted, lines);
            }
        } else if (token == JsonToken.START_ARRAY) {
            int index = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                walk(parser, path + "[" + index++ + "]", wanted, lines);
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
