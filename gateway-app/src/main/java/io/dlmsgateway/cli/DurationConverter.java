package io.dlmsgateway.cli;

import io.dlmsgateway.config.DurationText;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Durations as people write them on a command line: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}, or ISO-8601
 * ({@code PT1.5S}); zero and negative durations are refused. The CLI's and the load harness's converter, on the
 * configuration's own grammar ({@link DurationText}).
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        Duration d = parse(value);
        if (d.isZero() || d.isNegative()) {
            throw new CommandLine.TypeConversionException("duration must be positive, got '" + value + "'");
        }
        return d;
    }

    /** The duration {@code value} stands for, of any sign ({@link DurationText}, the configuration's grammar). */
    public static Duration parse(String value) {
        return DurationText.parse(value).orElseThrow(() -> new CommandLine.TypeConversionException(
                "expected a duration such as 500ms, 5s, 2m, 7d or PT5S, got '" + value + "'"));
    }
}
