package io.cacdb.server.sql;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting for a condition with a bound (never a bare sleep): polls every millisecond until true or the bound. */
final class Conditions {

    private Conditions() {
    }

    static void await(String what, Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + bound + " waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Sessions waiting for a lock now, from the engine's gauge. */
    static double lockWaiters(SqlTestServer s) {
        var g = s.registry.find("cacdb.lock.waiting").gauge();
        return g == null ? 0 : g.value();
    }
}
