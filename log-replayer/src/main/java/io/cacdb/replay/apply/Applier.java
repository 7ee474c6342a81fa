package io.cacdb.replay.apply;

import io.cacdb.engine.bufferpool.BufferPool;
import io.cacdb.engine.bufferpool.BufferPoolExhaustedException;
import io.cacdb.engine.bufferpool.PageReadException;
import io.cacdb.engine.recovery.Redo;
import io.cacdb.engine.wal.EpochHistory;
import io.cacdb.engine.wal.LoggedRecord;
import io.cacdb.replay.lag.LagTracker;
import io.cacdb.replay.pagelsn.PageLsnList;
import io.cacdb.replay.prefetch.Prefetcher;
import io.cacdb.replay.safety.UnsafePages;
import io.cacdb.replay.window.ParseAheadWindow;
import io.cacdb.replay.window.WindowEntry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standby's applier: one thread taking whole MTRs from the parse-ahead window, in LSN order, and applying each
 * with the engine's {@link Redo} — the same code as crash recovery, with the pageLSN test — on the standby's pool,
 * through a page source that marks replayed pages unsafe. Then it feeds the MTR's records to the
 * {@link TransactionTable} and advances the replayed LSN.
 *
 * <h2>Waiting instead of evicting</h2>
 * When every frame holds an unsafe or pinned page, the pool's miss fails with {@link BufferPoolExhaustedException}
 * after its frame wait. The applier then waits for the next flush watermark (which makes pages safe) and applies the
 * MTR again — the pages of it already changed are skipped by the pageLSN test, so a retried MTR is applied exactly
 * once. It never asks the pool to drop an unsafe page. A read that timed out ({@link PageReadException}) is retried
 * the same way.
 *
 * <h2>Checkpoint jump</h2>
 * A {@link WindowEntry.Jump} (policy {@code unsafe-eviction}, the log ahead was truncated) is applied in order:
 * every page whose state may be behind the checkpoint's redo start — every unsafe page, and every page whose pageLSN
 * is below the redo start, since changes between its pageLSN and the redo start are in storage but no longer in the
 * log — is dropped from the pool without being written; the transaction table restarts from the checkpoint; replay
 * continues at the redo start. Pages with a pageLSN at or above the redo start came from storage newer than the
 * checkpoint and stay.
 *
 * <h2>Catch-up limit</h2>
 * {@link #limitTo}: MTRs starting at or after the limit are not applied (takeover's end of log). An MTR that
 * straddles the limit means the caller's end is not an MTR boundary of the log this standby read: the standby read
 * bytes that are not part of the log the new active continues (a stale tail) and fails with
 * {@link ReplayDivergedException}.
 */
public final class Applier implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Applier.class);

    /** What the applier tells the replayer. Called on the apply thread; must not block. */
    public interface Listener {
        /** An MTR was applied (or a jump done); the replayed LSN moved. */
        void applied(long replayedLsn);

        /** The window was empty for a while (or the limit was reached). */
        void idle();

        /** The applier cannot go on; it has stopped. */
        void applyFailed(Throwable cause);
    }

    /** The log the standby applied is not the log the caller describes. */
    public static final class ReplayDivergedException extends RuntimeException {
        public ReplayDivergedException(String message) {
            super(message);
        }
    }

    /** How long the applier waits for a window entry before it reports idle and re-checks its flags. */
    static final Duration IDLE_WAIT = Duration.ofMillis(50);

    private final BufferPool pool;
    private final ParseAheadWindow window;
    private final UnsafePages unsafe;
    private final TransactionTable txns;
    private final LagTracker lag;
    private final Supplier<EpochHistory> history;
    private final Prefetcher prefetcher;
    private final PageLsnList pageLsns;
    private final Duration retryWait;
    private final Duration jumpDrainWait;
    private final Listener listener;
    private final Redo redo;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stopSignal = lock.newCondition();
    private volatile boolean running = true;
    private volatile long limit = Long.MAX_VALUE;
    private volatile long replayedLsn;
    private volatile boolean starved;

    private final AtomicLong mtrsApplied = new AtomicLong();
    private final AtomicLong pageChangesApplied = new AtomicLong();
    private final AtomicLong pageChangesSkipped = new AtomicLong();
    private final AtomicLong frameWaits = new AtomicLong();
    private final AtomicLong readRetries = new AtomicLong();
    private final AtomicLong jumps = new AtomicLong();
    private final AtomicLong pagesDroppedByJumps = new AtomicLong();

    /**
     * @param retryWait how long to wait for a flush watermark (or a storage retry) before re-applying an MTR that
     *                  found no frame or whose read failed
     */
    public Applier(BufferPool pool, ParseAheadWindow window, UnsafePages unsafe, TransactionTable txns,
                   LagTracker lag, Supplier<EpochHistory> history, Prefetcher prefetcher, PageLsnList pageLsns,
                   long startLsn, Duration retryWait, Duration jumpDrainWait, Listener listener) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.window = Objects.requireNonNull(window, "window");
        this.unsafe = Objects.requireNonNull(unsafe, "unsafe");
        this.txns = Objects.requireNonNull(txns, "txns");
        this.lag = Objects.requireNonNull(lag, "lag");
        this.history = Objects.requireNonNull(history, "history");
        this.prefetcher = Objects.requireNonNull(prefetcher, "prefetcher");
        this.pageLsns = Objects.requireNonNull(pageLsns, "pageLsns");
        this.retryWait = Objects.requireNonNull(retryWait, "retryWait");
        this.jumpDrainWait = Objects.requireNonNull(jumpDrainWait, "jumpDrainWait");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.redo = new Redo(new ReplayPageSource(pool, unsafe));
        this.replayedLsn = startLsn;
    }

    @Override
    public void run() {
        try {
            while (running) {
                WindowEntry e = window.peek(IDLE_WAIT.toNanos());
                if (e == null) {
                    listener.idle();
                    continue;
                }
                switch (e) {
                    case WindowEntry.ParsedMtr m -> {
                        if (m.startLsn() >= limit) {
                            listener.idle();
                            pause(IDLE_WAIT.toNanos());
                            continue;
                        }
                        if (m.endLsn() > limit) {
                            throw new ReplayDivergedException("the end of log " + limit + " given for catch-up is"
                                    + " inside the MTR [" + m.startLsn() + ", " + m.endLsn() + ") this standby read:"
                                    + " it is not an MTR boundary of that log");
                        }
                        if (!apply(m)) {
                            return;
                        }
                    }
                    case WindowEntry.Jump j -> jump(j);
                }
                window.removeHead(e);
                listener.applied(replayedLsn);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (running) {
                listener.applyFailed(e);
            }
        } catch (RuntimeException | Error e) {
            listener.applyFailed(e);
        } finally {
            running = false;
        }
    }

    /** Applies one MTR, waiting for frames or storage as needed. False if stopped first. */
    private boolean apply(WindowEntry.ParsedMtr m) throws InterruptedException {
        if (m.startLsn() != replayedLsn) {
            throw new IllegalStateException("MTR [" + m.startLsn() + ", " + m.endLsn() + ") does not start at the"
                    + " replayed LSN " + replayedLsn + ": the window lost or reordered log");
        }
        long appliedBefore = redo.pageChangesApplied();
        long skippedBefore = redo.pageChangesSkipped();
        while (true) {
            if (!running) {
                return false;
            }
            try {
                redo.apply(m.records());
                starved = false;
                break;
            } catch (BufferPoolExhaustedException ex) {
                starved = true;
                frameWaits.incrementAndGet();
                log.debug("MTR at LSN {}: no frame free ({}); waiting for a flush watermark above {}",
                        m.startLsn(), ex.getMessage(), unsafe.watermark());
                unsafe.awaitWatermarkAbove(unsafe.watermark(), retryWait.toNanos());
            } catch (PageReadException ex) {
                readRetries.incrementAndGet();
                log.debug("MTR at LSN {}: a page read failed ({}); retrying", m.startLsn(), ex.getMessage());
                pause(retryWait.toNanos());
            }
        }
        String violation = unsafe.violation();
        if (violation != null) {
            throw new IllegalStateException("standby invariant: " + violation);
        }
        for (LoggedRecord r : m.records()) {
            txns.accept(r);
        }
        pageChangesApplied.addAndGet(redo.pageChangesApplied() - appliedBefore);
        pageChangesSkipped.addAndGet(redo.pageChangesSkipped() - skippedBefore);
        mtrsApplied.incrementAndGet();
        replayedLsn = m.endLsn();
        lag.replayed(replayedLsn);
        return true;
    }

    private void jump(WindowEntry.Jump j) throws InterruptedException {
        long redoStart = j.checkpoint().redoStartLsn();
        if (redoStart <= replayedLsn) {
            throw new IllegalStateException("a checkpoint jump must go forward: replayed " + replayedLsn
                    + ", redo start " + redoStart);
        }
        // Every page image in the pool must be known: no prefetch may be loading (with a version bound from before
        // the jump) while stale pages are dropped. The tailer waits for this jump before it reads on.
        if (!prefetcher.holdAndDrain(jumpDrainWait.toNanos())) {
            throw new IllegalStateException("checkpoint jump to " + redoStart + ": prefetches still in flight after "
                    + jumpDrainWait);
        }
        java.util.Set<Long> unsafeNow = unsafe.unsafePageNos();
        BufferPool.Discarded d = pool.discard((pageNo, pageLsn) -> pageLsn < redoStart || unsafeNow.contains(pageNo));
        if (d.skippedInUse() > 0) {
            // Only the applier changes pages and it is here; a page in use is being read by a caller or loaded by a
            // prefetch (a fresh image from storage). A pinned stale page would stay stale: refuse to go on.
            throw new IllegalStateException("checkpoint jump to " + redoStart + ": " + d.skippedInUse()
                    + " stale or unsafe pages are pinned and cannot be dropped");
        }
        unsafe.forget(unsafeNow::contains);
        // Versions read or seen before the jump no longer bound what a page must contain: changes between them and
        // the redo start were skipped. Until re-read, pages are read at quorum (which sees everything below the redo
        // start: the checkpoint guarantees it is in storage at write quorum).
        pool.forgetVersions();
        pageLsns.clear();
        prefetcher.release();
        txns.reset(j.checkpoint().checkpointLsn(), true, epochAt(history.get(), redoStart));
        replayedLsn = redoStart;
        lag.restartAt(redoStart);
        jumps.incrementAndGet();
        pagesDroppedByJumps.addAndGet(d.dropped());
        log.warn("checkpoint jump: log truncated at LSN {}, replay continues at the redo start {}; dropped {} pages"
                + " ({} of them unsafe)", j.truncatedAtLsn(), redoStart, d.dropped(), unsafeNow.size());
    }

    /** The epoch that owns the log at {@code lsn}: the newest history entry starting at or before it (0: none). */
    public static long epochAt(EpochHistory history, long lsn) {
        long epoch = 0;
        for (EpochHistory.Entry e : history.entries()) {
            if (e.startLsn() <= lsn) {
                epoch = e.epoch();
            }
        }
        return epoch;
    }

    private void pause(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (running && left > 0) {
                left = stopSignal.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Applies nothing that starts at or after {@code lsn} from now on. */
    public void limitTo(long lsn) {
        limit = lsn;
        window.wakeAll();
    }

    public void stop() {
        running = false;
        lock.lock();
        try {
            stopSignal.signalAll();
        } finally {
            lock.unlock();
        }
        window.wakeAll();
    }

    public boolean isRunning() {
        return running;
    }

    /** Whether the applier is waiting for a frame (every frame unsafe or pinned): it needs a newer watermark. */
    public boolean starved() {
        return starved;
    }

    /** End of the last MTR applied (or the start point / the last jump's redo start). */
    public long replayedLsn() {
        return replayedLsn;
    }

    public long mtrsApplied() {
        return mtrsApplied.get();
    }

    public long pageChangesApplied() {
        return pageChangesApplied.get();
    }

    public long pageChangesSkipped() {
        return pageChangesSkipped.get();
    }

    public long frameWaits() {
        return frameWaits.get();
    }

    public long readRetries() {
        return readRetries.get();
    }

    public long jumps() {
        return jumps.get();
    }

    public long pagesDroppedByJumps() {
        return pagesDroppedByJumps.get();
    }
}
