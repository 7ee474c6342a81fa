package io.cacdb.server.pgwire;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Bounded waiting on a condition that has no notification of its own (a server-side counter). */
final class Await {

    /** Pause between two checks: short against the bound, so the wait ends promptly. */
    private static final long POLL_NANOS = Duration.ofMillis(2).toNanos();

    private Await() {
    }

    static void until(String what, Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + bound + ": " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
