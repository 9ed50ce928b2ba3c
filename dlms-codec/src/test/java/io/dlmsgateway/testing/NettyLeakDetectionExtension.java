package io.dlmsgateway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Fails a test when Netty reports a leaked reference-counted object (typically a {@link ByteBuf} never released).
 *
 * <p>Netty only logs leaks, and only when it happens to notice them, which a green build never shows. This extension
 * installs a {@link ResourceLeakDetectorFactory} whose detectors record every report, and after each test forces
 * garbage collection, makes the detectors look at their reference queues and throws an {@link AssertionError}
 * carrying the leak records if any were reported.
 *
 * <p>Registration: listed in {@code META-INF/services/org.junit.jupiter.api.extension.Extension} and enabled by
 * {@code junit.jupiter.extensions.autodetection.enabled=true} in {@code junit-platform.properties}, so it applies
 * to every test of a module that has both on its test class path (this module ships it in its test-jar).
 *
 * <p>Why the static initialiser: Netty creates the {@code ByteBuf} leak detector once, in a static field of
 * {@code AbstractByteBuf}, from whatever factory is installed at that moment. Autodetected extensions are
 * instantiated when the Jupiter engine starts executing, before any test class is initialised, so installing the
 * factory here wins as long as nothing in the test JVM touched a {@code ByteBuf} before. If something did, the
 * factory cannot take over, and {@link #verifyNoLeaks()} says so instead of passing silently.
 *
 * <p>Leak reports depend on the level: the build sets {@code io.netty.leakDetection.level=paranoid} (every buffer
 * tracked); when that property is absent (a test started from an IDE) this extension sets paranoid itself.
 */
public final class NettyLeakDetectionExtension implements AfterEachCallback {

    private static final Logger log = LoggerFactory.getLogger(NettyLeakDetectionExtension.class);

    private static final Queue<String> REPORTS = new ConcurrentLinkedQueue<>();
    private static final List<RecordingLeakDetector<?>> DETECTORS = new java.util.concurrent.CopyOnWriteArrayList<>();
    /**
     * Set by the test of this extension while it leaks a buffer on purpose: the leak is still recorded (and fails
     * the check it makes) but not logged as an error, so that the build output shows only leaks that are bugs.
     */
    static volatile boolean expectingLeaks;
    private static final int GC_ROUNDS = 3;
    private static final long GC_PAUSE_MILLIS = 10;

    static {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        verifyNoLeaks();
    }

    /**
     * Collects garbage, lets every recording detector poll its reference queue, and fails if leaks were reported
     * since the last call. The recorded reports are cleared either way, so one leak fails one test.
     *
     * @throws AssertionError listing the leak records
     */
    public static void verifyNoLeaks() {
        // a test that never touched a ByteBuf leaves AbstractByteBuf uninitialised, hence no detector yet: allocating
        // once creates it, through our factory unless someone else's ByteBuf got there first
        pokeDetectors();
        if (DETECTORS.isEmpty()) {
            throw new AssertionError("Netty's ByteBuf leak detector was created before "
                    + NettyLeakDetectionExtension.class.getSimpleName() + " could install its factory; "
                    + "leaks would go unnoticed");
        }
        for (int round = 0; round < GC_ROUNDS; round++) {
            System.gc();
            try {
                Thread.sleep(GC_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            // a detector only polls its queue when it tracks a new object: allocate through every allocator kind
            pokeDetectors();
        }
        List<String> reports = new ArrayList<>();
        for (String report; (report = REPORTS.poll()) != null; ) {
            reports.add(report);
        }
        if (!reports.isEmpty()) {
            throw new AssertionError(reports.size() + " Netty leak report(s):\n" + String.join("\n\n", reports));
        }
    }

    private static void pokeDetectors() {
        List<ByteBuf> buffers = List.of(
                PooledByteBufAllocator.DEFAULT.heapBuffer(8),
                PooledByteBufAllocator.DEFAULT.directBuffer(8),
                UnpooledByteBufAllocator.DEFAULT.heapBuffer(8),
                UnpooledByteBufAllocator.DEFAULT.directBuffer(8));
        buffers.forEach(ByteBuf::release);
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            RecordingLeakDetector<T> detector = new RecordingLeakDetector<>(resource, samplingInterval);
            DETECTORS.add(detector);
            return detector;
        }

        /** Still abstract in Netty 4.1 although deprecated; maxActive is ignored by Netty itself as well. */
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                   long maxActive) {
            return newResourceLeakDetector(resource, samplingInterval);
        }
    }

    private static final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

        RecordingLeakDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            // report even when logging is quiet: the report is what fails the test
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            REPORTS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected."
                    + records);
            if (expectingLeaks) {
                log.debug("Expected LEAK of a {} (a test of the leak detection itself)", resourceType);
            } else {
                log.error("LEAK: {}.release() was not called before it was garbage-collected.{}", resourceType,
                        records);
            }
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            REPORTS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected "
                    + "(no access records: raise io.netty.leakDetection.level to paranoid to see where)");
            if (expectingLeaks) {
                log.debug("Expected LEAK of a {} (a test of the leak detection itself)", resourceType);
            } else {
                log.error("LEAK: {}.release() was not called before it was garbage-collected.", resourceType);
            }
        }
    }
}
