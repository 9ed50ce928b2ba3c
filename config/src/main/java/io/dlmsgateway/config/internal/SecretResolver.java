package io.dlmsgateway.config.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves secret values written as {@code ${env:NAME}} (an environment variable) or {@code ${file:path}} (a file's
 * content, relative to the configuration file, surrounding whitespace stripped so a trailing newline does not end up in
 * a key). Anything else is taken literally. Keeping secrets out of the configuration files lets those files live in
 * version control.
 */
public final class SecretResolver {

    private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern FILE = Pattern.compile("\\$\\{file:(.+)}");

    private static final long MAX_SECRET_FILE_SIZE = 64 * 1024;

    private final Function<String, String> environment;

    /** @param environment environment variable lookup, returning null for an unset variable */
    public SecretResolver(Function<String, String> environment) {
        this.environment = environment;
    }

    /** The field's resolved value, or empty when absent or unresolvable (reported). */
    Optional<String> resolve(ConfigNode node, String field) {
        Optional<String> raw = node.string(field);
        if (raw.isEmpty()) {
            return raw;
        }
        String text = raw.get().trim();
        Matcher env = ENV.matcher(text);
        if (env.matches()) {
            String value = environment.apply(env.group(1));
            if (value == null) {
                node.problem(field, "environment variable " + env.group(1) + " is not set");
                return Optional.empty();
            }
            return Optional.of(value);
        }
        Matcher file = FILE.matcher(text);
        if (file.matches()) {
            Optional<Path> resolved = node.resolve(field, file.group(1).trim());
            if (resolved.isEmpty()) {
                return Optional.empty();
            }
            Path path = resolved.get();
            try {
                // a key or a token is a few bytes: a device, a FIFO or a large file is a mistake, not a secret
                if (!Files.isRegularFile(path) && Files.exists(path)) {
                    node.problem(field, "secret file " + path + " is not a regular file");
                    return Optional.empty();
                }
                if (Files.exists(path) && Files.size(path) > MAX_SECRET_FILE_SIZE) {
                    node.problem(field, "secret file " + path + " is larger than " + MAX_SECRET_FILE_SIZE
                            + " bytes; a secret file holds one key, password or token");
                    return Optional.empty();
                }
                return Optional.of(Files.readString(path, StandardCharsets.UTF_8).strip());
            } catch (IOException | SecurityException e) {
                node.problem(field, "cannot read secret file " + path + ": " + e);
                return Optional.empty();
            }
        }
        if (text.startsWith("${")) {
            // almost certainly a mistyped reference; taking it as a literal password would fail far from here
            node.problem(field, "unknown reference " + text + "; use ${env:NAME} or ${file:path}");
            return Optional.empty();
        }
        return raw;
    }
}
