package io.cacdb.replay.prefetch;

import io.cacdb.engine.bufferpool.BufferPool;
import io.cacdb.ioscheduler.IoClass;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The standby's "read-IO threads": for every page an MTR in the parse-ahead window changes, a read into the pool is
 * started at once ({@link BufferPool#prefetch} in IO class REPLAY_READ), so that by the time the applier reaches the
 * MTR its pages are resident and replay does not wait for storage one page at a time.
 *
 * <p>How many such reads run at once is the IO scheduler's REPLAY_READ in-flight limit, which the
 * {@link ReadIoController} sets from the lag. This class bounds what it hands the scheduler: at most
 * {@code outstandingMax} prefetches submitted and not completed (the rest wait here, at most {@code queuedMax} pages,
 * de-duplicated), so the scheduler's queue never overflows and a small pool is not flooded with pages far ahead of the
 * apply point. A page already resident costs a lookup. A prefetch that fails (no frame free at once, page not yet in
 * storage, a read error) is only counted: the applier's own read of the page will settle it.
 *
 * <p>Thread-safe. {@link #offer} is called by the tailer; completions run on storage threads and start the next
 * prefetch there (non-blocking). Re-entrant completions (a read completed synchronously) do not recurse.
 */
public final class Prefetcher {

    private final BufferPool pool;
    private final int outstandingMax;
    private final int queuedMax;
    private final BooleanSupplier paused;
    private final Object lock = new Object();
    private final ArrayDeque<Long> queue = new ArrayDeque<>();
    private final HashSet<Long> queued = new HashSet<>();
    private int outstanding;
    private boolean draining;
    private boolean stopped;
    private boolean held;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param outstandingMax prefetches submitted to the pool and not completed, at most
     * @param queuedMax      pages waiting here, at most
     * @param paused         true while prefetching must not take frames (the pool is nearly all unsafe)
     */
    public Prefetcher(BufferPool pool, int outstandingMax, int queuedMax, BooleanSupplier paused) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.paused = Objects.requireNonNull(paused, "paused");
        if (outstandingMax < 1 || queuedMax < 1) {
            throw new IllegalArgumentException("outstandingMax " + outstandingMax + " and queuedMax " + queuedMax
                    + " must be >= 1");
        }
        this.outstandingMax = outstandingMax;
        this.queuedMax = queuedMax;
    }

    /** Prefetches these pages (an MTR just entered the window). */
    public void offer(long[] pageNos) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            for (long p : pageNos) {
                if (queued.contains(p)) {
                    continue;
                }
                if (queue.size() >= queuedMax) {
                    dropped.incrementAndGet();
                    continue;
                }
                queue.addLast(p);
                queued.add(p);
            }
        }
        drain();
    }

    private void drain() {
        while (true) {
            long pageNo;
            synchronized (lock) {
                if (draining) {
                    return; // the thread that is draining loops and takes this work
                }
                if (stopped || held || queue.isEmpty() || outstanding >= outstandingMax) {
                    return;
                }
                pageNo = queue.pollFirst();
                queued.remove(pageNo);
                if (paused.getAsBoolean()) {
                    dropped.incrementAndGet();
                    continue;
                }
                outstanding++;
                draining = true;
            }
            requests.incrementAndGet();
            try {
                pool.prefetch(pageNo, IoClass.REPLAY_READ).whenComplete((v, e) -> completed(e));
            } catch (RuntimeException e) {
                // A closed pool or a bad page number: counted like a failed read; the applier decides.
                completed(e);
            } finally {
                synchronized (lock) {
                    draining = false;
                }
            }
        }
    }

    private void completed(Throwable failure) {
        if (failure != null) {
            failures.incrementAndGet();
        }
        synchronized (lock) {
            outstanding--;
            if (outstanding < 0) {
                throw new IllegalStateException("prefetches outstanding went negative: " + outstanding);
            }
            lock.notifyAll();
        }
        drain();
    }

    /**
     * Holds prefetching (the queue is cleared, nothing new starts) and waits, bounded, until no prefetch is in
     * flight. Returns whether none is. For a checkpoint jump, which must know every page image in the pool.
     */
    public boolean holdAndDrain(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (lock) {
            held = true;
            queue.clear();
            queued.clear();
            while (outstanding > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** Ends {@link #holdAndDrain}. */
    public void release() {
        synchronized (lock) {
            held = false;
        }
        drain();
    }

    /** Stops prefetching: nothing new starts; reads in flight complete on their own. */
    public void stop() {
        synchronized (lock) {
            stopped = true;
            queue.clear();
            queued.clear();
        }
    }

    public long requests() {
        return requests.get();
    }

    public long failures() {
        return failures.get();
    }

    public long dropped() {
        return dropped.get();
    }

    public int outstanding() {
        synchronized (lock) {
            return outstanding;
        }
    }

    public int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }
}
