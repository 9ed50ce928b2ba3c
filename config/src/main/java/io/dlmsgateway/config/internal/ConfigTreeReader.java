package io.dlmsgateway.config.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a YAML or JSON file (by extension) into a tree; a syntax error becomes a problem with line and column.
 *
 * <p>A connector file is read element by element of its one large list ({@link #readStreaming}): a tree of 150 000
 * devices costs several hundred megabytes, one device's tree a few hundred bytes.
 */
final class ConfigTreeReader {

    /** Takes one element of the streamed list, with its index, while the file is being read. */
    @FunctionalInterface
    interface ElementHandler {
        void element(int index, JsonNode element);
    }

    // duplicate keys would otherwise silently keep the last value
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

    private ConfigTreeReader() {
    }

    /** The file's tree, or empty after reporting why it could not be read. */
    public static Optional<JsonNode> read(Path path, String shownName, ProblemCollector problems) {
        ObjectMapper mapper = mapperFor(path);
        problems.lines(shownName, () -> mapper.createParser(path.toFile()));
        try (JsonParser parser = mapper.createParser(path.toFile())) {
            // an empty document (or comments only) is a missing node, which ConfigNode.root reports as an empty file
            return Optional.of(parser.nextToken() == null ? MissingNode.getInstance() : orNull(mapper.readTree(parser)));
        } catch (IOException e) {
            report(e, path, shownName, problems);
        }
        return Optional.empty();
    }

    /**
     * Reads the file like {@link #read}, except that when its top is an object with a list under
     * {@code listField}, that list's elements go one by one to {@code handler} as they are read, and the tree
     * returned holds an empty list in their place. Empty after reporting when the file cannot be read; elements
     * handed over before a syntax error stay handed over.
     */
    public static Optional<JsonNode> readStreaming(Path path, String shownName, ProblemCollector problems,
                                                   String listField, ElementHandler handler) {
        ObjectMapper mapper = mapperFor(path);
        problems.lines(shownName, () -> mapper.createParser(path.toFile()));
        try (JsonParser parser = mapper.createParser(path.toFile())) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                // not an object (or empty): the whole tree, for ConfigNode.root to say what it is instead
                return Optional.of(first == null ? MissingNode.getInstance() : orNull(mapper.readTree(parser)));
            }
            ObjectNode top = mapper.getNodeFactory().objectNode();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonLocation at = parser.currentTokenLocation();
                JsonToken value = parser.nextToken();
                if (top.has(field)) {
                    throw new DuplicateField(field, at);
                }
                if (field.equals(listField) && value == JsonToken.START_ARRAY) {
                    top.putArray(field);
                    int index = 0;
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        JsonNode element = mapper.readTree(parser);
                        handler.element(index++, element == null ? mapper.getNodeFactory().nullNode() : element);
                    }
                } else {
                    JsonNode tree = mapper.readTree(parser);
                    top.set(field, tree == null ? mapper.getNodeFactory().nullNode() : tree);
                }
            }
            return Optional.of(top);
        } catch (DuplicateField e) {
            problems.add(shownName, "", "syntax error" + where(e.at) + ": duplicate field '" + e.field + "'");
        } catch (IOException e) {
            report(e, path, shownName, problems);
        }
        return Optional.empty();
    }

    private static JsonNode orNull(JsonNode tree) {
        return tree == null ? NullNode.getInstance() : tree;
    }

    private static ObjectMapper mapperFor(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON;
    }

    private static void report(IOException e, Path path, String shownName, ProblemCollector problems) {
        // a parser opened on a missing file says FileNotFoundException, as it does for a directory
        if (e instanceof NoSuchFileException || (e instanceof FileNotFoundException && !Files.exists(path))) {
            problems.add(shownName, "", "file not found");
        } else if (e instanceof JsonProcessingException jpe) {
            problems.add(shownName, "", "syntax error" + where(jpe.getLocation()) + ": " + reason(jpe));
        } else {
            problems.add(shownName, "", "cannot read: " + e);
        }
    }

    private static String where(JsonLocation at) {
        return at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /** A key given twice at the top of a streamed file (a tree read reports it itself). */
    private static final class DuplicateField extends IOException {
        private static final long serialVersionUID = 1L;
        private final String field;
        private final transient JsonLocation at;

        DuplicateField(String field, JsonLocation at) {
            super("duplicate field '" + field + "'");
            this.field = field;
            this.at = at;
        }
    }

    /**
     * The parser's explanation without the position lines and source snippets with carets that SnakeYAML adds,
     * which repeat what the line and column already say.
     */
    private static String reason(JsonProcessingException e) {
        List<String> lines = e.getOriginalMessage().lines().map(String::strip).toList();
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean snippet = i + 1 < lines.size() && lines.get(i + 1).matches("\\^+");
            if (!line.isEmpty() && !snippet && !line.matches("\\^+") && !line.startsWith("in '")) {
                kept.add(line);
            }
        }
        return String.join(" ", kept);
    }
}
