package io.dlmsgateway.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingMethod;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.StreamSupport;

/**
 * Fails a test when code blocks a non-blocking thread (a Netty event loop, a Reactor parallel scheduler): sleeping,
 * waiting on a lock or future, file or socket I/O. The design promises "nothing blocks an event loop"; this proves it
 * for every test that runs with the extension.
 *
 * <p>BlockHound instruments the JDK's blocking methods once per JVM, in this class's static initialiser (so before
 * any test runs: autodetected extensions are instantiated when the Jupiter engine starts). Which threads count as
 * non-blocking comes from the integrations on the class path: Netty's marks its {@code FastThreadLocalThread}s (every
 * event loop made by a {@code DefaultThreadFactory}), Reactor's its {@code NonBlocking} scheduler threads.
 *
 * <p>Why record as well as throw: BlockHound throws a {@link BlockingOperationError} in the offending thread, which
 * is an event loop, not the test's. Netty catches what a task throws and only logs it; a channel handler turns it into
 * an {@code exceptionCaught} that may just close a connection. So every detection is also recorded, and after each
 * test {@link #verifyNoBlockingCalls()} fails the test with the stack of the blocking call.
 *
 * <p>Registration: listed in {@code META-INF/services/org.junit.jupiter.api.extension.Extension}, active wherever
 * {@code junit.jupiter.extensions.autodetection.enabled=true}. On JDK 13+ BlockHound needs the JVM flag
 * {@code -XX:+AllowRedefinitionToAddDeleteMethods}; the parent pom's surefire configuration passes it.
 *
 * <p>What is allowed to block, and why, is in {@link #applyAllowances(BlockHound.Builder)}: nothing of ours.
 */
public final class BlockHoundExtension implements AfterEachCallback, AfterAllCallback {

    /**
     * BlockHound's own integrations that are left out. Both exist to make console output invisible to BlockHound
     * (LoggingIntegration allows all of logback's {@code Logger.callAppenders}, StandardOutputIntegration every
     * {@code System.out}/{@code System.err} write), and a console write on an event loop is what the gateway's
     * asynchronous appender exists to prevent. Note that under surefire the console is surefire's buffer, flushed by
     * its own thread, so a console write is invisible there anyway; the production logging configuration has its own
     * test with a file-backed stream.
     */
    private static final Set<String> EXCLUDED_INTEGRATIONS = Set.of(
            "reactor.blockhound.integration.LoggingIntegration",
            "reactor.blockhound.integration.StandardOutputIntegration");

    private static final Queue<String> DETECTIONS = new ConcurrentLinkedQueue<>();

    static {
        install();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        verifyNoBlockingCalls();
    }

    /** Also after a class's {@code @AfterAll}, where simulators and event-loop groups shut down. */
    @Override
    public void afterAll(ExtensionContext context) {
        verifyNoBlockingCalls();
    }

    /**
     * Fails if a blocking call on a non-blocking thread was detected since the last call, listing each with its
     * thread and stack. Clears what it found either way, so one blocking call fails one test.
     *
     * @throws AssertionError naming the blocking calls
     */
    public static void verifyNoBlockingCalls() {
        List<String> found = new ArrayList<>();
        for (String d; (d = DETECTIONS.poll()) != null; ) {
            found.add(d);
        }
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " blocking call(s) on non-blocking threads:\n"
                    + String.join("\n", found));
        }
    }

    private static void install() {
        BlockHound.Builder builder = BlockHound.builder();
        ServiceLoader<BlockHoundIntegration> loader = ServiceLoader.load(BlockHoundIntegration.class);
        StreamSupport.stream(loader.spliterator(), false)
                .filter(i -> !EXCLUDED_INTEGRATIONS.contains(i.getClass().getName()))
                .sorted()
                .forEach(builder::with);
        applyAllowances(builder);
        builder.blockingMethodCallback(BlockHoundExtension::onBlockingCall);
        try {
            builder.install();
        } catch (RuntimeException e) {
            throw new IllegalStateException("BlockHound could not instrument the JDK; on JDK 13+ the test JVM needs "
                    + "-XX:+AllowRedefinitionToAddDeleteMethods (the build's surefire configuration passes it)", e);
        }
    }

    /**
     * Blocking the test suite tolerates. Each entry is a JDK or library internal that is blocking by BlockHound's
     * definition but bounded and harmless, never our code: product code that blocks is fixed instead.
     */
    static void applyAllowances(BlockHound.Builder builder) {
        // logback's AsyncAppender (tests and production alike) hands each event to its worker through an
        // ArrayBlockingQueue, whose lock parks a thread for the few instructions the worker holds it; with
        // neverBlock=true a full queue drops the event instead of waiting, so no I/O is ever waited for here.
        builder.allowBlockingCallsInside("ch.qos.logback.core.AsyncAppenderBase", "append");
        // Moquette, the in-process MQTT broker standing in for ThingsBoard in gateway tests and the demo, hands each
        // connection's commands to its session threads through an ArrayBlockingQueue on its own Netty event loops.
        // That is the stand-in's design, not the gateway's; the gateway's own event loops stay watched.
        builder.allowBlockingCallsInside("io.moquette.broker.SessionEventLoopGroup", "routeCommand");
        // The JDK reads lib/net.properties once, in the static initialiser of sun.net.NetProperties, when the first
        // NIO socket of the JVM is made; with epoll as the transport that first NIO socket can be a host group's on
        // an event loop. A one-time class initialisation of the JDK, not a blocking path of the gateway.
        builder.allowBlockingCallsInside("sun.net.NetProperties", "<clinit>");
    }

    private static void onBlockingCall(BlockingMethod method) {
        BlockingOperationError error = new BlockingOperationError(method);
        StringWriter stack = new StringWriter();
        error.printStackTrace(new PrintWriter(stack));
        DETECTIONS.add("[" + Thread.currentThread().getName() + "] " + stack);
        throw error;
    }
}
