package io.dlmsgateway.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file.
 *
 * @param file    the file as the user named it (or as resolved against the file that referenced it)
 * @param path    where inside the file, e.g. {@code devices[3].port}; empty when the problem is about the whole file
 * @param message why it is wrong, e.g. {@code 70000 is out of range 1..65535}
 * @param line    the 1-based line of the value at {@code path} (of its enclosing object when the value is missing),
 *                or 0 when unknown
 */
public record ConfigProblem(String file, String path, String message, int line) {

    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
        if (line < 0) {
            throw new IllegalArgumentException("line must be 0 (unknown) or positive: " + line);
        }
    }

    /** A problem whose line is unknown. */
    public ConfigProblem(String file, String path, String message) {
        this(file, path, message, 0);
    }

    /**
     * {@code file: path: message (line n)}, without the path when there is none and without the line when it is
     * unknown. The line comes last so the start of each line reads the same with or without it.
     */
    @Override
    public String toString() {
        return (path.isEmpty() ? file + ": " + message : file + ": " + path + ": " + message)
                + (line > 0 ? " (line " + line + ")" : "");
    }
}
