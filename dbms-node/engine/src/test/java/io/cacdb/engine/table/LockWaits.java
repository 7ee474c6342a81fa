package io.cacdb.engine.table;

import io.cacdb.engine.lock.LockMode;
import io.cacdb.engine.lock.LockResource;
import io.cacdb.engine.lock.LockWaitListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Lets a test wait, with a bound, until a transaction has started waiting for a lock (instead of sleeping). */
public final class LockWaits implements LockWaitListener {

    public static final Duration BOUND = Duration.ofSeconds(20);

    private final ReentrantLock mutex = new ReentrantLock();
    private final Condition changed = mutex.newCondition();
    private final Map<Long, Integer> waits = new HashMap<>();

    @Override
    public void waiting(long txnId, LockResource resource, LockMode mode) {
        mutex.lock();
        try {
            waits.merge(txnId, 1, Integer::sum);
            changed.signalAll();
        } finally {
            mutex.unlock();
        }
    }

    public int waits(long txnId) {
        mutex.lock();
        try {
            return waits.getOrDefault(txnId, 0);
        } finally {
            mutex.unlock();
        }
    }

    /** Blocks until {@code txnId} has started at least {@code n} lock waits; fails after {@link #BOUND}. */
    public void awaitWaits(long txnId, int n) throws InterruptedException {
        long remaining = BOUND.toNanos();
        mutex.lock();
        try {
            while (waits.getOrDefault(txnId, 0) < n) {
                if (remaining <= 0) {
                    throw new AssertionError("transaction " + txnId + " did not start lock wait #" + n + " within "
                            + BOUND + "; waits so far " + waits);
                }
                remaining = changed.awaitNanos(remaining);
            }
        } finally {
            mutex.unlock();
        }
    }
}
