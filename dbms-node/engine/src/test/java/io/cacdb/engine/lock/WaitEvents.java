package io.cacdb.engine.lock;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A {@link LockWaitListener} tests wait on: "transaction t has started waiting n times", with a bound. */
final class WaitEvents implements LockWaitListener {

    static final Duration BOUND = Duration.ofSeconds(10);

    private final ReentrantLock mutex = new ReentrantLock();
    private final Condition changed = mutex.newCondition();
    private final Map<Long, Integer> waitsByTxn = new HashMap<>();

    @Override
    public void waiting(long txnId, LockResource resource, LockMode mode) {
        mutex.lock();
        try {
            waitsByTxn.merge(txnId, 1, Integer::sum);
            changed.signalAll();
        } finally {
            mutex.unlock();
        }
    }

    /** Blocks until {@code txnId} has started its {@code n}-th wait; fails the test after {@link #BOUND}. */
    void awaitWaits(long txnId, int n) throws InterruptedException {
        long remaining = BOUND.toNanos();
        mutex.lock();
        try {
            while (waitsByTxn.getOrDefault(txnId, 0) < n) {
                if (remaining <= 0) {
                    throw new AssertionError("txn " + txnId + " did not start wait #" + n + " within " + BOUND
                            + "; waits so far " + waitsByTxn);
                }
                remaining = changed.awaitNanos(remaining);
            }
        } finally {
            mutex.unlock();
        }
    }

    void awaitWaiting(long txnId) throws InterruptedException {
        awaitWaits(txnId, 1);
    }

    int waits(long txnId) {
        mutex.lock();
        try {
            return waitsByTxn.getOrDefault(txnId, 0);
        } finally {
            mutex.unlock();
        }
    }

    static long boundMillis() {
        return TimeUnit.NANOSECONDS.toMillis(BOUND.toNanos());
    }
}
