package io.dlmsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dlmsgateway.spool.CorruptSpoolAction;
import io.dlmsgateway.spool.SpoolDurability;
import io.dlmsgateway.spool.SpoolOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code storage} section of the main file: defaults, values, and each kind of mistake with file, path, line. */
class StorageConfigTest {

    @TempDir
    Path dir;

    private ConfigFixture fixture;

    private Path mainWithStorage(String storage) {
        fixture = new ConfigFixture(dir);
        return fixture.write(ConfigFixture.MAIN_YAML + storage, "{\"devices\": [" + ConfigFixture.device("m1", "") + "]}");
    }

    private StorageConfig load(String storage) throws ConfigException {
        return ConfigFixture.loader(Map.of()).load(mainWithStorage(storage)).storage();
    }

    /** The problems, each as users see it: {@code file: path: message (line n)}. */
    private List<String> problems(String storage) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(storage));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    /** MAIN_YAML has 14 lines; the storage section starts on line 15. */
    private String at(String path, String message, int line) {
        return fixture.mainFile() + ": " + path + ": " + message + " (line " + line + ")";
    }

    @Test
    void withoutTheSectionTheSpoolIsAFileNextToTheConfiguration() throws Exception {
        StorageConfig storage = load("");

        assertThat(storage).isEqualTo(new StorageConfig(StorageConfig.Type.FILE, Optional.of(dir.resolve("data/spool")),
                512, OptionalLong.empty(), SpoolDurability.CRASH, 64, CorruptSpoolAction.MOVE_ASIDE, 10));
        SpoolOptions options = ConfigBinding.spool(storage);
        assertThat(options.directory()).contains(dir.resolve("data/spool"));
        assertThat(options.maxBytes()).isEqualTo(512L << 20);
        assertThat(options.maxRecords()).isEqualTo(Long.MAX_VALUE);
        assertThat(options.commitInterval()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void everyFieldIsRead() throws Exception {
        StorageConfig storage = load("""
                storage:
                  type: file
                  path: spool-here
                  maxSizeMb: 64
                  maxRecords: 100000
                  durability: fsync
                  minFreeSpaceMb: 10
                  onCorrupt: refuse
                  commitIntervalMs: 0
                """);

        assertThat(storage).isEqualTo(new StorageConfig(StorageConfig.Type.FILE, Optional.of(dir.resolve("spool-here")),
                64, OptionalLong.of(100_000), SpoolDurability.FSYNC, 10, CorruptSpoolAction.REFUSE, 0));
        assertThat(ConfigBinding.spool(storage)).isEqualTo(SpoolOptions.file(dir.resolve("spool-here"))
                .withMaxBytes(64L << 20).withMaxRecords(100_000).withDurability(SpoolDurability.FSYNC)
                .withMinFreeBytes(10L << 20).withOnCorrupt(CorruptSpoolAction.REFUSE).withCommitInterval(Duration.ZERO));
    }

    @Test
    void memoryHasNoPath() throws Exception {
        StorageConfig storage = load("storage: {type: memory, maxSizeMb: 16}\n");

        assertThat(storage.path()).isEmpty();
        assertThat(ConfigBinding.spool(storage)).isEqualTo(SpoolOptions.memory().withMaxBytes(16L << 20));
    }

    @Test
    void theShippedExampleSpoolsToAFile() throws Exception {
        Path example = Path.of("..", "config", "tb_gateway.yaml");

        StorageConfig storage = GatewayConfigLoader.withEnvironment(name -> null).load(example).storage();

        assertThat(storage.type()).isEqualTo(StorageConfig.Type.FILE);
        assertThat(storage.path()).contains(example.getParent().resolve("./data/spool"));
        assertThat(storage.maxSizeMb()).isEqualTo(512);
        assertThat(storage.durability()).isEqualTo(SpoolDurability.CRASH);
    }

    @Test
    void unknownType() {
        assertThat(problems("storage:\n  type: disk\n")).containsExactly(
                at("storage.type", "unknown storage type 'disk'; expected file or memory", 16));
    }

    @Test
    void sqliteTypeOfThePythonGatewayIsPointedToFile() {
        assertThat(problems("storage:\n  type: sqlite\n")).containsExactly(
                at("storage.type", "write file: this gateway's file storage is SQLite already", 16));
    }

    @Test
    void sizeOutOfRangeOrNotANumber() {
        assertThat(problems("storage:\n  maxSizeMb: 0\n  maxRecords: \"many\"\n")).containsExactly(
                at("storage.maxSizeMb", "0 is out of range 1..1048576", 16),
                at("storage.maxRecords", "expected a whole number, got string \"many\"", 17));
    }

    @Test
    void maxRecordsMustBePositive() {
        assertThat(problems("storage:\n  maxRecords: 0\n")).containsExactly(
                at("storage.maxRecords", "0 is out of range 1..9223372036854775807", 16));
    }

    @Test
    void unknownDurability() {
        assertThat(problems("storage:\n  durability: sometimes\n")).containsExactly(
                at("storage.durability", "unknown durability 'sometimes'; expected one of: crash, fsync", 16));
    }

    @Test
    void memoryTakesNeitherPathNorDurability() {
        assertThat(problems("storage:\n  type: memory\n  path: ./data\n  durability: fsync\n")).containsExactly(
                at("storage.path", "only used with type file", 17),
                at("storage.durability", "only used with type file; memory storage does not survive a restart", 18));
    }

    @Test
    void freeSpaceMarginAndCorruptFileActionAreChecked() {
        assertThat(problems("storage:\n  minFreeSpaceMb: -1\n  onCorrupt: delete\n")).containsExactly(
                at("storage.minFreeSpaceMb", "-1 is out of range 0..1048576", 16),
                at("storage.onCorrupt", "unknown onCorrupt 'delete'; expected one of: move-aside, refuse", 17));
    }

    @Test
    void commitIntervalIsChecked() {
        assertThat(problems("storage:\n  commitIntervalMs: 1001\n")).containsExactly(
                at("storage.commitIntervalMs", "1001 is out of range 0..1000", 16));
        assertThat(problems("storage:\n  commitIntervalMs: -5\n")).containsExactly(
                at("storage.commitIntervalMs", "-5 is out of range 0..1000", 16));
    }

    @Test
    void memoryTakesNoFreeSpaceMarginNorCorruptFileAction() {
        assertThat(problems("storage:\n  type: memory\n  minFreeSpaceMb: 10\n  onCorrupt: refuse\n"))
                .containsExactly(
                        at("storage.minFreeSpaceMb", "only used with type file; memory storage has no file", 17),
                        at("storage.onCorrupt", "only used with type file; memory storage has no file", 18));
    }

    @Test
    void pathThatIsAFile() throws Exception {
        Files.writeString(dir.resolve("taken"), "not a directory");

        assertThat(problems("storage:\n  path: taken\n")).containsExactly(
                at("storage.path", dir.resolve("taken") + " is a file; the spool needs a directory", 16));
    }

    @Test
    void blankPath() {
        assertThat(problems("storage:\n  path: \" \"\n")).containsExactly(
                at("storage.path", "must not be blank", 16));
    }

    @Test
    void fieldsOfThePythonGatewayGetAHint() {
        assertThat(problems("storage:\n  type: memory\n  max_records_count: 100000\n  read_records_count: 100\n"))
                .containsExactly(
                        at("storage.max_records_count",
                                "a field of the Python ThingsBoard gateway's storage; write maxRecords:", 17),
                        at("storage.read_records_count",
                                "a field of the Python ThingsBoard gateway's storage; remove it: the publisher sizes "
                                        + "its batches", 18));
    }

    @Test
    void misspelledField() {
        assertThat(problems("storage:\n  maxSizeMB: 10\n")).containsExactly(at("storage.maxSizeMB",
                "unknown field; expected one of: type, path, maxSizeMb, maxRecords, durability, minFreeSpaceMb, onCorrupt,"
                        + " commitIntervalMs",
                16));
    }

    @Test
    void sectionThatIsNotAnObject() {
        assertThat(problems("storage: memory\n")).containsExactly(
                at("storage", "expected an object, got string \"memory\"", 15));
    }
}
