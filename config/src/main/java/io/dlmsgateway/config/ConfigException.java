package io.dlmsgateway.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration is not usable. Carries every problem found, not only the first, so a user fixes them in one go;
 * the message lists them one per line.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    /** @param problems at least one problem */
    public ConfigException(List<ConfigProblem> problems) {
        super(describe(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in file order. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String describe(List<ConfigProblem> problems) {
        return problems.stream().map(ConfigProblem::toString).collect(Collectors.joining(System.lineSeparator()));
    }
}
