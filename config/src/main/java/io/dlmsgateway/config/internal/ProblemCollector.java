package io.dlmsgateway.config.internal;

import io.dlmsgateway.config.ConfigException;
import io.dlmsgateway.config.ConfigProblem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gathers problems while the loader keeps going, so the user sees all of them at once.
 *
 * <p>The line of each problem is looked up only when there are problems to report, and only for their paths: an
 * index of every value's line would cost more than the parsed configuration itself (two million paths for a file of
 * 150 000 devices), to serve a valid file that reports nothing.
 */
final class ProblemCollector {

    /** A problem whose line is not known yet. */
    private record Pending(String file, String path, String message) {
    }

    private final List<Pending> problems = new ArrayList<>();
    private final Map<String, ValueLines.Source> sourcesByFile = new HashMap<>();

    /** Lets problems in {@code file} carry the line of their path, read again from {@code source} if needed. */
    void lines(String file, ValueLines.Source source) {
        sourcesByFile.put(file, source);
    }

    void add(String file, String path, String message) {
        problems.add(new Pending(file, path, message));
    }

    /** Throws when anything was collected. */
    void throwIfAny() throws ConfigException {
        if (problems.isEmpty()) {
            return;
        }
        Map<String, Set<String>> wantedByFile = new LinkedHashMap<>();
        for (Pending p : problems) {
            if (!p.path().isEmpty()) {
                wantedByFile.computeIfAbsent(p.file(), f -> new HashSet<>()).add(p.path());
            }
        }
        Map<String, ValueLines> linesByFile = new HashMap<>();
        wantedByFile.forEach((file, paths) -> {
            ValueLines.Source source = sourcesByFile.get(file);
            linesByFile.put(file, source == null ? ValueLines.NONE : ValueLines.index(source, paths));
        });
        List<ConfigProblem> found = new ArrayList<>(problems.size());
        for (Pending p : problems) {
            int line = p.path().isEmpty() ? 0 : linesByFile.getOrDefault(p.file(), ValueLines.NONE).lineOf(p.path());
            found.add(new ConfigProblem(p.file(), p.path(), p.message(), line));
        }
        throw new ConfigException(found);
    }
}
