package io.dlmsgateway.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlmsgateway.config.DurationText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An object node of a configuration tree, with its file and path, that reports problems instead of throwing.
 *
 * <p>Every getter remembers the field it was asked for, so {@link #reportUnknownFields()} can name the fields
 * nobody read: typos such as {@code pollingIntervall} are reported rather than silently ignored. Getters return
 * empty after reporting a problem, so the caller goes on and more problems are found in one run.
 */
final class ConfigNode {

    private final ProblemCollector problems;
    private final String file;
    private final Path directory;
    private final String path;
    private final JsonNode node;
    private final Set<String> known = new LinkedHashSet<>();

    private ConfigNode(ProblemCollector problems, String file, Path directory, String path, JsonNode node) {
        this.problems = problems;
        this.file = file;
        this.directory = directory;
        this.path = path;
        this.node = node;
    }

    /**
     * The root of a file's tree, or empty (after reporting) when the root is not an object.
     *
     * @param file      the file's name as shown in problems
     * @param directory the directory relative paths in the file are resolved against
     */
    public static Optional<ConfigNode> root(ProblemCollector problems, String file, Path directory, JsonNode root) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            problems.add(file, "", "the file is empty");
            return Optional.empty();
        }
        if (!root.isObject()) {
            problems.add(file, "", "expected an object at the top, got " + describe(root));
            return Optional.empty();
        }
        return Optional.of(new ConfigNode(problems, file, directory, "", root));
    }

    /**
     * Element {@code index} of the list {@code field} of a file's top object, read on its own (the list is streamed,
     * see {@link ConfigTreeReader#readStreaming}); empty (reported) when it is not an object.
     */
    public static Optional<ConfigNode> topListElement(ProblemCollector problems, String file, Path directory,
                                                      String field, int index, JsonNode element) {
        String elementPath = field + "[" + index + "]";
        if (!element.isObject()) {
            problems.add(file, elementPath, "expected an object, got " + describe(element));
            return Optional.empty();
        }
        return Optional.of(new ConfigNode(problems, file, directory, elementPath, element));
    }

    public String file() {
        return file;
    }

    /** The directory relative paths in this file are resolved against. */
    public Path directory() {
        return directory;
    }

    public String path() {
        return path;
    }

    /** The path of a field of this object, e.g. {@code devices[0].port}. */
    public String pathOf(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /**
     * {@code text}, the value of {@code field}, as a path relative to this file's directory; empty (reported) when it
     * cannot be a path on this system (a NUL character, say).
     */
    public Optional<Path> resolve(String field, String text) {
        try {
            return Optional.of(directory.resolve(text));
        } catch (java.nio.file.InvalidPathException e) {
            problem(field, "not a valid path: " + e.getReason());
            return Optional.empty();
        }
    }

    /** Reports a problem about a field of this object. */
    public void problem(String field, String message) {
        problems.add(file, pathOf(field), message);
    }

    /** Reports a problem about this object as a whole. */
    public void problem(String message) {
        problems.add(file, path, message);
    }

    /** True when the field is present and not null (YAML {@code key:} with nothing after it is null). */
    public boolean has(String field) {
        known.add(field);
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    /**
     * True when the field is present and not null, without counting it as read: to decide how to read the fields
     * before it (a device with {@code push} needs no {@code host}) while the unknown-field message keeps listing the
     * fields in their documented order.
     */
    public boolean mentions(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    /** The field's value as it is, any JSON type, or empty when absent or null. */
    public Optional<JsonNode> json(String field) {
        return has(field) ? Optional.of(node.get(field)) : Optional.empty();
    }

    /**
     * Calls {@code each} with every value of the field, an object of objects ({@code "deviceTypes": {"A": {...},
     * "B": {...}}}), by key with its path, in file order; a value that is not an object is reported in its turn and
     * skipped. Returns false when the field is absent or not an object (reported).
     */
    public boolean forEachObject(String field, BiConsumer<String, ConfigNode> each) {
        Optional<ConfigNode> object = object(field);
        if (object.isEmpty()) {
            return false;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = object.get().node.fields();
        while (fields.hasNext()) {
            String key = fields.next().getKey();
            object.get().object(key).ifPresent(value -> each.accept(key, value));
        }
        return true;
    }

    /** True when the field is present and a number (so that a field may take a number or a text). */
    public boolean isNumber(String field) {
        return has(field) && node.get(field).isNumber();
    }

    /** The field's text, or empty when absent or not a string (reported). */
    public Optional<String> string(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode value = node.get(field);
        if (!value.isTextual()) {
            problem(field, "expected a string, got " + describe(value));
            return Optional.empty();
        }
        return Optional.of(value.textValue());
    }

    /** The field's text; reports a missing or blank field. */
    public Optional<String> requiredString(String field) {
        if (!has(field)) {
            problem(field, "required field is missing");
            return Optional.empty();
        }
        Optional<String> text = string(field);
        if (text.isPresent() && text.get().isBlank()) {
            problem(field, "must not be blank");
            return Optional.empty();
        }
        return text;
    }

    /** The field's whole number within {@code min..max}, or empty when absent or wrong (reported). */
    public OptionalLong integer(String field, long min, long max) {
        if (!has(field)) {
            return OptionalLong.empty();
        }
        JsonNode value = node.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            problem(field, "expected a whole number, got " + describe(value));
            return OptionalLong.empty();
        }
        long n = value.longValue();
        if (n < min || n > max) {
            problem(field, n + " is out of range " + min + ".." + max);
            return OptionalLong.empty();
        }
        return OptionalLong.of(n);
    }

    /**
     * The field as a duration within {@code min..max}: text such as {@code 500ms}, {@code 30s}, {@code 15m},
     * {@code 36h}, {@code 7d} or ISO-8601 ({@code PT15M}, {@code P7D}), or a whole number of milliseconds as the
     * other duration fields take; empty when absent or wrong (reported).
     */
    public Optional<Duration> duration(String field, Duration min, Duration max) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode value = node.get(field);
        Duration d = null;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            d = Duration.ofMillis(value.longValue());
        } else if (value.isTextual()) {
            d = DurationText.parse(value.textValue()).orElse(null);
        }
        if (d == null) {
            problem(field, "expected a duration such as 30s, 15m, 36h or 7d (or whole milliseconds), got "
                    + describe(value));
            return Optional.empty();
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            problem(field, (value.isTextual() ? value.textValue() : value.asText() + " ms") + " is out of range "
                    + show(min) + ".." + show(max));
            return Optional.empty();
        }
        return Optional.of(d);
    }

    /** A duration as the configuration writes it: {@code 7d}, {@code 15m}, {@code 90s}, {@code 500ms}. */
    static String show(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        } else if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        } else if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** Like {@link #integer} but reports a missing field. */
    public OptionalLong requiredInteger(String field, long min, long max) {
        if (!has(field)) {
            problem(field, "required field is missing");
            return OptionalLong.empty();
        }
        return integer(field, min, max);
    }

    /** The field's boolean, or empty when absent or wrong (reported). */
    public Optional<Boolean> bool(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode value = node.get(field);
        if (!value.isBoolean()) {
            problem(field, "expected true or false, got " + describe(value));
            return Optional.empty();
        }
        return Optional.of(value.booleanValue());
    }

    /** The field as an object, or empty when absent or not an object (reported). */
    public Optional<ConfigNode> object(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode value = node.get(field);
        if (!value.isObject()) {
            problem(field, "expected an object, got " + describe(value));
            return Optional.empty();
        }
        return Optional.of(new ConfigNode(problems, file, directory, pathOf(field), value));
    }

    /** The field's elements, each with its path {@code field[i]}, or empty when absent or not an array (reported). */
    public Optional<List<JsonNode>> array(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode value = node.get(field);
        if (!value.isArray()) {
            problem(field, "expected a list, got " + describe(value));
            return Optional.empty();
        }
        List<JsonNode> elements = new ArrayList<>();
        value.elements().forEachRemaining(elements::add);
        return Optional.of(elements);
    }

    /** Element {@code index} of array {@code field} as an object, or empty (reported) when it is not one. */
    public Optional<ConfigNode> element(String field, int index, JsonNode element) {
        String elementPath = pathOf(field) + "[" + index + "]";
        if (!element.isObject()) {
            problems.add(file, elementPath, "expected an object, got " + describe(element));
            return Optional.empty();
        }
        return Optional.of(new ConfigNode(problems, file, directory, elementPath, element));
    }

    /** Element {@code index} of array {@code field} as a string, or empty (reported) when it is not one. */
    public Optional<String> stringElement(String field, int index, JsonNode element) {
        if (!element.isTextual()) {
            problems.add(file, pathOf(field) + "[" + index + "]", "expected a string, got " + describe(element));
            return Optional.empty();
        }
        return Optional.of(element.textValue());
    }

    /** The field as a map of string to string, in file order; entries whose value is not a string are reported. */
    public Optional<Map<String, String>> stringMap(String field) {
        Optional<ConfigNode> object = object(field);
        if (object.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> map = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = object.get().node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> entry = fields.next();
            if (entry.getValue().isTextual()) {
                map.put(entry.getKey(), entry.getValue().textValue());
            } else {
                object.get().problem(entry.getKey(), "expected a string, got " + describe(entry.getValue()));
            }
        }
        return Optional.of(map);
    }

    /** Reports every field of this object that no getter asked for. */
    public void reportUnknownFields() {
        reportUnknownFields(Map.of());
    }

    /**
     * Reports every field of this object that no getter asked for; one named in {@code hints} with that message
     * instead of the list of known fields, e.g. for a field of another program's format.
     */
    public void reportUnknownFields(Map<String, String> hints) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                problem(name, hints.getOrDefault(name, "unknown field; expected one of: " + String.join(", ", known)));
            }
        }
    }

    /** A short description of a value for messages: its type, and the value itself when it is small. */
    static String describe(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "string \"" + value.textValue() + "\"";
            case NUMBER -> "number " + value.asText();
            case BOOLEAN -> value.asText();
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> value.getNodeType().name().toLowerCase();
        };
    }
}
