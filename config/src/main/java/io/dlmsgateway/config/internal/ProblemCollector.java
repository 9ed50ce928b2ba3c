package io.dlmsgateway.config.internal;

import io.dlmsgateway.config.ConfigException;
import io.dlmsgateway.config.ConfigProblem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Gathers problems while the loader keeps going, so the user sees all of them at once. */
final class ProblemCollector {

    private final List<ConfigProblem> problems = new ArrayList<>();
    private final Map<String, ValueLines> linesByFile = new HashMap<>();

    /** Lets problems in {@code file} carry the line of their path. */
    void lines(String file, ValueLines lines) {
        linesByFile.put(file, lines);
    }

    void add(String file, String path, String message) {
        int line = path.isEmpty() ? 0 : linesByFile.getOrDefault(file, ValueLines.NONE).lineOf(path);
        problems.add(new ConfigProblem(file, path, message, line));
    }

    /** Throws when anything was collected. */
    void throwIfAny() throws ConfigException {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
