package io.dlmsgateway.gateway;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A mapping value of {@code attributesMapping} / {@code timeseriesMapping}: literal text with {@code ${name}}
 * placeholders, where a name is a measurement of the device or one of {@code host}, {@code port}, {@code name},
 * {@code deviceType}.
 */
public final class ValueTemplate {

    private final String text;
    // literal text and placeholder names alternate: even indexes literal, odd indexes placeholder names
    private final List<String> parts;

    private ValueTemplate(String text, List<String> parts) {
        this.text = text;
        this.parts = parts;
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException for an unclosed {@code ${} or an empty {@code ${}}
     */
    public static ValueTemplate parse(String text) {
        Objects.requireNonNull(text, "text");
        List<String> parts = new ArrayList<>();
        int from = 0;
        while (true) {
            int open = text.indexOf("${", from);
            if (open < 0) {
                parts.add(text.substring(from));
                break;
            }
            int close = text.indexOf('}', open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("'${' at index " + open + " is not closed by '}'");
            }
            String name = text.substring(open + 2, close).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("empty placeholder '${}' at index " + open);
            }
            parts.add(text.substring(from, open));
            parts.add(name);
            from = close + 1;
        }
        return new ValueTemplate(text, Collections.unmodifiableList(parts));
    }

    /** The template as written. */
    public String text() {
        return text;
    }

    /** The placeholder names, in order of first appearance. */
    public Set<String> placeholders() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 1; i < parts.size(); i += 2) {
            names.add(parts.get(i));
        }
        return names;
    }

    /**
     * The name when the template is exactly one placeholder ({@code "${voltage_l1}"}), so a caller can publish
     * the value with its own type (a number stays a number) instead of as text; null otherwise.
     */
    public String singlePlaceholder() {
        return parts.size() == 3 && parts.get(0).isEmpty() && parts.get(2).isEmpty() ? parts.get(1) : null;
    }

    /** Replaces every placeholder with {@code String.valueOf(values.apply(name))}. */
    public String render(Function<String, ?> values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            sb.append(i % 2 == 0 ? parts.get(i) : String.valueOf(values.apply(parts.get(i))));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueTemplate other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
