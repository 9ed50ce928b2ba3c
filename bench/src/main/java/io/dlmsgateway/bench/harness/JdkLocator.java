package io.dlmsgateway.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds a JDK of at least some feature release: the harness's own, or the newest under {@code /usr/lib/jvm}. */
final class JdkLocator {

    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);

    private JdkLocator() {
    }

    /** The feature release of a JDK from its {@code release} file. */
    static OptionalInt feature(Path javaHome) {
        try {
            return feature(Files.readString(javaHome.resolve("release")));
        } catch (IOException e) {
            return OptionalInt.empty();
        }
    }

    static OptionalInt feature(String releaseFile) {
        Matcher m = JAVA_VERSION.matcher(releaseFile);
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    /** The running JDK when it is recent enough, otherwise the newest installed one that is. */
    static Optional<Path> find(int minimumFeature) {
        Path own = Path.of(System.getProperty("java.home"));
        if (Runtime.version().feature() >= minimumFeature) {
            return Optional.of(own);
        }
        List<Path> candidates = new ArrayList<>();
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                dirs.filter(d -> Files.isExecutable(d.resolve("bin/java"))).forEach(candidates::add);
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return candidates.stream()
                .filter(d -> feature(d).orElse(0) >= minimumFeature)
                .max(Comparator.comparingInt((Path d) -> feature(d).orElse(0)).thenComparing(Path::toString));
    }
}
