package io.dlmsgateway.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Blocks the main thread until Ctrl-C or SIGTERM, then runs the graceful stop inside the JVM's shutdown hook and lets
 * the JVM exit only once it is done.
 */
final class StopOnSignal {

    private StopOnSignal() {
    }

    static void awaitStop(Runnable stop) throws InterruptedException {
        awaitStop(stop, 0);
    }

    /** Stops on a signal, or by itself after {@code durationMillis} when positive. */
    static void awaitStop(Runnable stop, long durationMillis) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                stop.run();
            } finally {
                stopped.countDown();
                // the JVM exits once the hooks end: the lines of the stop are flushed here
                DlmsGatewayCommand.stopLogging();
            }
        }, "dlms-gateway-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        if (durationMillis > 0) {
            if (!stopped.await(durationMillis, TimeUnit.MILLISECONDS)) {
                Runtime.getRuntime().removeShutdownHook(hook);
                // the command goes on after this and main stops logging at its end
                stop.run();
            }
        } else {
            stopped.await();
        }
    }
}
