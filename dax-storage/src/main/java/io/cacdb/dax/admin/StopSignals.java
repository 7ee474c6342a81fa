package io.cacdb.dax.admin;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT for a cacdb process: they release a latch the main thread waits on, so it closes the process's
 * parts gracefully and exits 0. Without this the JVM would run the shutdown hooks (which also close gracefully) but
 * exit with 128 + signal, which systemd and our launchers read as a failure.
 */
public final class StopSignals {

    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {
    }

    /** Installs the handlers; returns the latch they release. */
    public static CountDownLatch install() {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.countDown());
            } catch (IllegalArgumentException e) {
                // the signal is reserved on this JVM (for example -Xrs); the shutdown hook still closes gracefully
                log.warn("cannot handle SIG{}: {}; relying on the shutdown hook", name, e.getMessage());
            }
        }
        return stop;
    }

    /** Waits for a stop signal; an interrupt counts as one. */
    public static void await(CountDownLatch stop) {
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
