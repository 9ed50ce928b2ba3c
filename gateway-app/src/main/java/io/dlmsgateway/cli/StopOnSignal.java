package io.dlmsgateway.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * Blocks the main thread until Ctrl-C (SIGINT) or SIGTERM, then runs the graceful stop on the main thread and returns,
 * so the command ends with its own exit code: 0 for a clean stop. A service manager (systemd) counts that as success;
 * left to the JVM's default handling, the same stop would exit 143 (SIGTERM) or 130 (Ctrl-C) and be marked failed.
 *
 * <p>A second signal while the stop is under way ends the JVM at once with the signal's code (128 + its number), for
 * an operator who does not want to wait for the last acknowledgements. Other ways the JVM ends (SIGHUP,
 * {@code System.exit} elsewhere) still run the stop in a shutdown hook.
 */
final class StopOnSignal {

    private StopOnSignal() {
    }

    static void awaitStop(Runnable stop) throws InterruptedException {
        awaitStop(stop, 0);
    }

    /** Stops on a signal, or by itself after {@code durationMillis} when positive. */
    static void awaitStop(Runnable stop, long durationMillis) throws InterruptedException {
        CountDownLatch signalled = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.run();
            stopped.countDown();
            // the JVM exits once the hooks end: the lines of the stop are flushed here
            DlmsGatewayCommand.stopLogging();
        }, "dlms-gateway-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (signalled.getCount() == 0) {
                    Runtime.getRuntime().halt(128 + signal.getNumber());
                }
                signalled.countDown();
            });
        }
        if (durationMillis > 0) {
            signalled.await(durationMillis, TimeUnit.MILLISECONDS);
        } else {
            signalled.await();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shutdownInProgress) {
            // the JVM is ending for another reason (SIGHUP): the hook runs the stop
            stopped.await();
            return;
        }
        // the command returns its exit code (0) after this; main stops logging at its end
        stop.run();
    }
}
