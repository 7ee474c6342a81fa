package io.cacdb.replay.safety;

import io.cacdb.engine.bufferpool.EvictionGuard;
import io.cacdb.engine.bufferpool.EvictionListener;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The standby's safe/unsafe page rule (DESIGN §6, CAC-DB): a page the standby changed by replay is <em>unsafe</em>
 * until the active has flushed a version at least as new. The active publishes that through {@code FlushWatermark}
 * records — every page change ending at or below the watermark is in DAX at write quorum — so a replayed page whose
 * pageLSN is at or below the latest watermark is <em>safe</em> and may leave memory without being written; an unsafe
 * page may never leave, since storage does not have its contents and the standby never writes.
 *
 * <h2>Design</h2>
 * A map page → pageLSN set by replay, kept only for pages whose replayed pageLSN is above the watermark: entries
 * are pruned when the watermark passes them, and a change that ends at or below the current watermark is not
 * recorded at all. Unsafe pages cannot be evicted, so every entry is a resident page and the map never holds more
 * entries than the pool has frames. Pages the standby read but did not change are always safe (storage has them).
 *
 * <p>This object is the pool's {@link EvictionGuard} ({@link #canEvict}: a map lookup and a volatile read, called
 * under the pool's lock) and its {@link EvictionListener}: every eviction is checked again against the rule, and a
 * violation — which would be a bug in the guard or the pool — is recorded and reported by {@link #violation()} so the
 * replayer stops (it cannot throw inside the pool's lock).
 *
 * <p>The watermark may run ahead of the apply point (the tailer parses ahead and the watermark states a fact about
 * storage, whatever the standby has applied). At hand-over ({@link #releaseAll}) the pool becomes the active's,
 * which writes dirty pages before dropping them, and the guard allows everything. Thread-safe.
 */
public final class UnsafePages implements EvictionGuard, EvictionListener {

    private final ConcurrentHashMap<Long, Long> replayed = new ConcurrentHashMap<>();
    private volatile long watermark;
    private volatile boolean released;
    private final AtomicLong guardRefusals = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong dirtyEvictions = new AtomicLong();
    private final AtomicLong violations = new AtomicLong();
    private volatile String firstViolation;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition watermarkAdvanced = lock.newCondition();

    /** The page was changed by replay to {@code pageLsn}: unsafe unless the watermark already covers it. */
    public void replayed(long pageNo, long pageLsn) {
        if (pageLsn > watermark) {
            replayed.merge(pageNo, pageLsn, Math::max);
            // A watermark that advanced between the check and the merge prunes on its next advance; until then the
            // entry only makes this page look unsafe, never the other way round.
        }
    }

    /**
     * A {@code FlushWatermark(lsn)} was read: pages replayed to at or below it are safe from now on. Returns whether
     * it moved (watermarks never go back; an older one read after a newer one is ignored).
     */
    public boolean advanceWatermark(long lsn) {
        lock.lock();
        try {
            if (lsn <= watermark) {
                return false;
            }
            watermark = lsn;
            replayed.values().removeIf(v -> v <= lsn);
            watermarkAdvanced.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The latest flush watermark known (0: none yet). */
    public long watermark() {
        return watermark;
    }

    /** Whether the page, at {@code pageLsn}, is unsafe now. */
    public boolean isUnsafe(long pageNo, long pageLsn) {
        if (released) {
            return false;
        }
        Long replayedLsn = replayed.get(pageNo);
        return replayedLsn != null && Math.max(replayedLsn, pageLsn) > watermark;
    }

    @Override
    public boolean canEvict(long pageNo, long pageLsn) {
        if (isUnsafe(pageNo, pageLsn)) {
            guardRefusals.incrementAndGet();
            return false;
        }
        return true;
    }

    @Override
    public void evicted(long pageNo, long pageLsn, boolean dirty) {
        evictions.incrementAndGet();
        if (dirty) {
            dirtyEvictions.incrementAndGet();
        }
        if (isUnsafe(pageNo, pageLsn)) {
            violations.incrementAndGet();
            if (firstViolation == null) {
                firstViolation = "unsafe page " + pageNo + " evicted: pageLSN " + pageLsn + " > flush watermark "
                        + watermark + " (replayed to " + replayed.get(pageNo) + ")";
            }
        }
        replayed.remove(pageNo);
    }

    /** Pages dropped by a checkpoint jump: forget them (they will be rebuilt from storage and the log). */
    public void forget(java.util.function.LongPredicate pageNos) {
        replayed.keySet().removeIf(pageNos::test);
    }

    /** Unsafe pages now (resident pages changed by replay above the watermark). */
    public int unsafeCount() {
        if (released) {
            return 0;
        }
        long w = watermark;
        int n = 0;
        for (long v : replayed.values()) {
            if (v > w) {
                n++;
            }
        }
        return n;
    }

    /** Every replayed page currently tracked as unsafe (for the jump and tests). */
    public java.util.Set<Long> unsafePageNos() {
        long w = watermark;
        java.util.Set<Long> out = new java.util.HashSet<>();
        replayed.forEach((p, v) -> {
            if (v > w) {
                out.add(p);
            }
        });
        return out;
    }

    /** The pool is handed over to an active that writes its pages: every page may leave from now on. */
    public void releaseAll() {
        released = true;
        replayed.clear();
    }

    /**
     * Waits (bounded) until the watermark is above {@code than}: what the applier does when every frame holds an
     * unsafe page. Returns whether it advanced.
     */
    public boolean awaitWatermarkAbove(long than, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        lock.lock();
        try {
            while (watermark <= than) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                watermarkAdvanced.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    public long guardRefusals() {
        return guardRefusals.get();
    }

    public long evictions() {
        return evictions.get();
    }

    public long dirtyEvictions() {
        return dirtyEvictions.get();
    }

    public long violations() {
        return violations.get();
    }

    /** The first eviction that broke the rule, or null: an invariant failure the replayer stops on. */
    public String violation() {
        return firstViolation;
    }
}
