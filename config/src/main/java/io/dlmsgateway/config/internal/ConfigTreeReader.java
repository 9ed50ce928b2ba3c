package io.dlmsgateway.config.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reads a YAML or JSON file (by extension) into a tree; a syntax error becomes a problem with line and column. */
final class ConfigTreeReader {

    // duplicate keys would otherwise silently keep the last value
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

    private ConfigTreeReader() {
    }

    /** The file's tree, or empty after reporting why it could not be read. */
    public static Optional<JsonNode> read(Path path, String shownName, ProblemCollector problems) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON;
        try {
            byte[] content = Files.readAllBytes(path);
            JsonNode tree = mapper.readTree(content);
            try (JsonParser parser = mapper.createParser(content)) {
                problems.lines(shownName, ValueLines.index(parser));
            }
            return Optional.ofNullable(tree);
        } catch (NoSuchFileException e) {
            problems.add(shownName, "", "file not found");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            problems.add(shownName, "", "syntax error" + where + ": " + reason(e));
        } catch (IOException e) {
            problems.add(shownName, "", "cannot read: " + e);
        }
        return Optional.empty();
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
