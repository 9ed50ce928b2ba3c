package io.dlmsgateway.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Durations as people write them on a command line: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}, or ISO-8601
 * ({@code PT1.5S}); zero and negative durations are refused. The one parser of the CLI and the load harness.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
        Duration d = parse(value);
        if (d.isZero() || d.isNegative()) {
            throw new CommandLine.TypeConversionException("duration must be positive, got '" + value + "'");
        }
        return d;
    }

    /** The duration {@code value} stands for, of any sign. */
    public static Duration parse(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("expected a duration such as 500ms, 5s, 2m, 7d or PT5S, got '"
                    + value + "'");
        }
    }
}
