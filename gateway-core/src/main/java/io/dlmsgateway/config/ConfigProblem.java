package io.dlmsgateway.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file.
 *
 * @param file    the file as the user named it (or as resolved against the file that referenced it)
 * @param path    where inside the file, e.g. {@code devices[3].port}; empty when the problem is about the whole file
 * @param message why it is wrong, e.g. {@code 70000 is out of range 1..65535}
 */
public record ConfigProblem(String file, String path, String message) {

    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** {@code file: path: message}, or {@code file: message} when there is no path. */
    @Override
    public String toString() {
        return path.isEmpty() ? file + ": " + message : file + ": " + path + ": " + message;
    }
}
