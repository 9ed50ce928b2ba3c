package io.dlmsgateway.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them, in the configuration files and on the command line alike: {@code 500ms},
 * {@code 90s}, {@code 15m}, {@code 36h}, {@code 7d} (a whole number and a unit, either case), or ISO-8601
 * ({@code PT1.5S}, {@code P30D}). One grammar, so that what a field accepts the matching CLI option accepts too.
 */
public final class DurationText {

    // twelve digits: days up to about 2.7 billion years, and never a number Long.parseLong cannot take
    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

    private DurationText() {
    }

    /** The duration {@code text} stands for, of any sign (ISO-8601 allows negative ones); empty when it is none. */
    public static Optional<Duration> parse(String text) {
        String t = text.trim();
        Matcher m = SIMPLE.matcher(t.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return Optional.of(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        try {
            return Optional.of(Duration.parse(t.toUpperCase(Locale.ROOT)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
