package io.dlmsgateway.config.internal;

import io.dlmsgateway.config.ConfigException;
import io.dlmsgateway.config.ConfigProblem;

import java.util.ArrayList;
import java.util.List;

/** Gathers problems while the loader keeps going, so the user sees all of them at once. */
final class ProblemCollector {

    private final List<ConfigProblem> problems = new ArrayList<>();

    public void add(String file, String path, String message) {
        problems.add(new ConfigProblem(file, path, message));
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public List<ConfigProblem> problems() {
        return List.copyOf(problems);
    }

    /** Throws when anything was collected. */
    public void throwIfAny() throws ConfigException {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
