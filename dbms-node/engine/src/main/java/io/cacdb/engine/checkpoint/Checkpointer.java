package io.cacdb.engine.checkpoint;

import io.cacdb.engine.bufferpool.BufferPool;
import io.cacdb.engine.mtr.LogSink;
import io.cacdb.engine.txn.FuzzySnapshot;
import io.cacdb.engine.txn.TransactionManager;
import io.cacdb.engine.volume.VolumeWriter;
import io.cacdb.engine.wal.CheckpointPointer;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LogRecordCodec;
import io.cacdb.engine.wal.LogTruncator;
import io.cacdb.engine.wal.LogWriter;
import io.cacdb.engine.wal.MetaRecords;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fuzzy checkpoints, flush watermarks and log truncation, on one background thread (and on demand).
 *
 * <h2>A checkpoint</h2>
 * <ol>
 *   <li>{@link TransactionManager#fuzzySnapshot}: the stable LSN (= redo start: no unflushed change starts below it,
 *       no in-flight MTR can undercut it), the dirty-page table and the transaction table, without stopping
 *       anything;</li>
 *   <li>append {@code Checkpoint(redoStart, DPT, TT)} as its own MTR and wait until it is durable;</li>
 *   <li>{@link MetaRecords#writeCheckpoint} at write quorum: from now on recovery and takeover start there;</li>
 *   <li>{@link LogTruncator#truncate()}: delete log below {@code min(retain LSN, retention floor, durable)}, where
 *       the retain LSN also keeps the first record of every active transaction (undo needs it) and the retention
 *       floor comes from outside (the standby's replayed LSN, an archive point; none by default).</li>
 * </ol>
 * A failed step fails the round ({@link CheckpointException}); the META pointer only ever names a durable record,
 * so a failure anywhere leaves the previous checkpoint in force.
 *
 * <h2>A flush watermark</h2>
 * {@code FlushWatermark(min(stable LSN, durable LSN))}: every page change ending at or below it is in storage at
 * write quorum (the stable LSN is below every unflushed change). Written only when it moved past page changes — the
 * checkpointer's own records are no reason to write another — so an idle node writes nothing.
 *
 * <p>Threads: {@link #checkpoint} and {@link #flushWatermark} are serialised by this object's monitor and may be
 * called from any thread (tests, shutdown) besides the background one. They block for storage, bounded by
 * {@link CheckpointConfig#storageWaitMax()}.
 */
public final class Checkpointer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);

    /** How long {@link #close()} waits for a round in progress before giving up on the thread. */
    private static final long STOP_JOIN_MILLIS = 10_000;

    /** What a checkpoint did. */
    public record Result(long checkpointLsn, long redoStartLsn, long retainLsn, long truncatedBelowLsn,
                         int dirtyPages, int activeTxns) {
    }

    private final VolumeWriter volume;
    private final LogWriter logWriter;
    private final BufferPool pool;
    private final TransactionManager txns;
    private final CheckpointConfig config;
    private final LogTruncator truncator;

    private final ReentrantLock threadLock = new ReentrantLock();
    private final Condition wake = threadLock.newCondition();
    private boolean stopping;
    private Thread thread;

    // Guarded by this.
    private Result last;
    private long ownRunStart = -1;
    private long ownRunEnd = -1;
    private long lastWatermarkLsn;
    private volatile long retainLsn;
    private volatile long watermarkLsn;

    private final Counter checkpoints;
    private final Counter failures;
    private final Counter watermarks;
    private final Timer checkpointTime;

    /**
     * @param initialRetainLsn  where the log must be kept from at start (the redo start recovery used)
     * @param retentionFloorLsn log at or above this is kept whatever the checkpoint says ({@code () -> Long.MAX_VALUE}
     *                          for none); asked on every truncation
     */
    public Checkpointer(VolumeWriter volume, LogWriter logWriter, BufferPool pool, TransactionManager txns,
                        CheckpointConfig config, long initialRetainLsn, LongSupplier retentionFloorLsn,
                        MeterRegistry registry) {
        this.volume = Objects.requireNonNull(volume, "volume");
        this.logWriter = Objects.requireNonNull(logWriter, "logWriter");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.txns = Objects.requireNonNull(txns, "txns");
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(retentionFloorLsn, "retentionFloorLsn");
        this.retainLsn = initialRetainLsn;
        this.truncator = new LogTruncator(volume, () -> retainLsn, retentionFloorLsn, logWriter::durableLsn,
                logWriter::truncationAdvanced);
        this.checkpoints = Counter.builder("cacdb.checkpoint.count").description("checkpoints completed")
                .register(registry);
        this.failures = Counter.builder("cacdb.checkpoint.failures")
                .description("checkpoint or watermark rounds that failed (the next round retries)").register(registry);
        this.watermarks = Counter.builder("cacdb.checkpoint.flush_watermarks")
                .description("flush watermark records written").register(registry);
        this.checkpointTime = Timer.builder("cacdb.checkpoint.duration")
                .description("snapshot to truncation, including storage waits").register(registry);
        Gauge.builder("cacdb.checkpoint.redo_start.lsn", this, c -> c.retainLsn).register(registry);
        Gauge.builder("cacdb.checkpoint.flush_watermark.lsn", this, c -> c.watermarkLsn).register(registry);
        Gauge.builder("cacdb.wal.truncated_below.lsn", truncator, LogTruncator::truncatedBelowLsn)
                .register(registry);
    }

    /** Starts the background thread. */
    public void start() {
        threadLock.lock();
        try {
            if (thread != null) {
                throw new IllegalStateException("checkpointer already started");
            }
            thread = Thread.ofPlatform().name("cacdb-checkpointer-" + volume.volume()).daemon().unstarted(this::run);
            thread.start();
        } finally {
            threadLock.unlock();
        }
    }

    private void run() {
        long now = System.nanoTime();
        long nextCheckpoint = now + config.checkpointInterval().toNanos();
        long nextWatermark = now + config.flushWatermarkInterval().toNanos();
        while (true) {
            threadLock.lock();
            try {
                while (!stopping) {
                    long wait = Math.min(nextCheckpoint, nextWatermark) - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    wake.awaitNanos(wait);
                }
                if (stopping) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                threadLock.unlock();
            }
            if (txns.state() == TransactionManager.State.HALTED) {
                log.warn("checkpointer of volume {} stops: the engine halted", volume.volume());
                return;
            }
            now = System.nanoTime();
            try {
                if (now >= nextCheckpoint) {
                    checkpoint();
                    nextCheckpoint = now + config.checkpointInterval().toNanos();
                    nextWatermark = now + config.flushWatermarkInterval().toNanos();
                } else {
                    flushWatermark();
                    nextWatermark = now + config.flushWatermarkInterval().toNanos();
                }
            } catch (RuntimeException e) {
                failures.increment();
                log.warn("checkpointer round on volume {} failed; the next round retries", volume.volume(), e);
                nextCheckpoint = Math.min(nextCheckpoint, now + config.checkpointInterval().toNanos());
                nextWatermark = now + config.flushWatermarkInterval().toNanos();
            }
        }
    }

    /**
     * Takes a checkpoint now (unless nothing but the checkpointer's own records was logged since the last one and
     * the redo start would not move) and truncates the log. Returns what the current checkpoint is.
     *
     * @throws CheckpointException if a storage step failed or timed out; the previous checkpoint stays in force
     */
    public synchronized Result checkpoint() {
        long started = System.nanoTime();
        FuzzySnapshot snap = txns.fuzzySnapshot(pool::dirtyPageTable);
        long redoStart = effective(snap.stableLsn());
        long retain = Math.min(redoStart, snap.retainLsn());
        if (last != null && idle() && redoStart == last.redoStartLsn() && retain == last.retainLsn()) {
            truncate();
            return last;
        }
        LogRecord.Checkpoint record = new LogRecord.Checkpoint(redoStart, snap.dirtyPages(), snap.activeTxns());
        LogSink.LsnRange range = appendOwn(record);
        await(logWriter.awaitDurable(range.endLsn()), "checkpoint record at LSN " + range.startLsn()
                + " becoming durable");
        await(MetaRecords.writeCheckpoint(volume, new CheckpointPointer(range.startLsn(), redoStart)),
                "writing the checkpoint pointer to META");
        retainLsn = retain;
        long truncated = truncate();
        last = new Result(range.startLsn(), redoStart, retain, truncated, snap.dirtyPages().size(),
                snap.activeTxns().size());
        checkpoints.increment();
        checkpointTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        log.debug("checkpoint at LSN {}: redo start {}, retain {}, {} dirty pages, {} active transactions, log"
                        + " truncated below {}", range.startLsn(), redoStart, retain, snap.dirtyPages().size(),
                snap.activeTxns().size(), truncated);
        return last;
    }

    /**
     * Writes a flush watermark if it moved past page changes since the last one. Returns the LSN written, if any.
     */
    public synchronized OptionalLong flushWatermark() {
        FuzzySnapshot snap = txns.fuzzySnapshot(pool::dirtyPageTable);
        long w = Math.min(effective(snap.stableLsn()), logWriter.durableLsn());
        if (w <= lastWatermarkLsn) {
            return OptionalLong.empty();
        }
        appendOwn(new LogRecord.FlushWatermark(w));
        lastWatermarkLsn = w;
        watermarkLsn = w;
        watermarks.increment();
        return OptionalLong.of(w);
    }

    /** Asks the storage to delete what the current checkpoint and the retention floor allow; returns the point. */
    public long truncate() {
        return await(truncator.truncate(), "deleting log blocks");
    }

    /** The last checkpoint this checkpointer took, if any. */
    public synchronized Optional<Result> lastCheckpoint() {
        return Optional.ofNullable(last);
    }

    /** The latest flush watermark written (0 if none yet). */
    public long flushWatermarkLsn() {
        return watermarkLsn;
    }

    /** Where truncation may delete up to, as far as checkpoints are concerned. */
    public long retainLsn() {
        return retainLsn;
    }

    public long truncatedBelowLsn() {
        return truncator.truncatedBelowLsn();
    }

    /**
     * The stable LSN, moved back over a run of the checkpointer's own records at the end of the log: those records
     * change no page, so a watermark or redo start inside or after them says nothing more than one at their start
     * (which is an MTR boundary too). This is what lets an idle node stop writing.
     */
    private long effective(long stable) {
        if (idle() && stable >= ownRunStart) {
            return ownRunStart;
        }
        return stable;
    }

    private boolean idle() {
        return ownRunEnd >= 0 && logWriter.appendedLsn() == ownRunEnd;
    }

    private LogSink.LsnRange appendOwn(LogRecord record) {
        int size = LogRecordCodec.encodedSize(record);
        if (size > logWriter.maxMtrBytes()) {
            throw new CheckpointException(record.getClass().getSimpleName() + " record of " + size
                    + " bytes exceeds the largest MTR the log takes (" + logWriter.maxMtrBytes() + " bytes)", null);
        }
        logWriter.awaitAppendCapacity(size);
        LogSink.LsnRange range = logWriter.appendMtr(List.of(record));
        if (range.startLsn() != ownRunEnd) {
            ownRunStart = range.startLsn();
        }
        ownRunEnd = range.endLsn();
        return range;
    }

    private <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(config.storageWaitMax().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new CheckpointException(what + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new CheckpointException(what + " did not finish within " + config.storageWaitMax(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointException("interrupted while " + what, e);
        }
    }

    /** Stops the background thread (a round in progress finishes first). Does not checkpoint. Idempotent. */
    @Override
    public void close() {
        Thread t;
        threadLock.lock();
        try {
            stopping = true;
            wake.signalAll();
            t = thread;
        } finally {
            threadLock.unlock();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(STOP_JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.warn("checkpointer thread of volume {} did not stop within {} ms", volume.volume(),
                        STOP_JOIN_MILLIS);
            }
        }
    }
}
