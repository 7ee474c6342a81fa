package io.cacdb.engine;

import io.cacdb.engine.bufferpool.BufferPool;
import io.cacdb.engine.bufferpool.DurableLog;
import io.cacdb.engine.checkpoint.Checkpointer;
import io.cacdb.engine.index.IndexDirectory;
import io.cacdb.engine.lock.LockManager;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.recovery.Analysis;
import io.cacdb.engine.recovery.Recovery;
import io.cacdb.engine.txn.TransactionManager;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeWriter;
import io.cacdb.engine.wal.CheckpointPointer;
import io.cacdb.engine.wal.EpochHistory;
import io.cacdb.engine.wal.LogEnd;
import io.cacdb.engine.wal.LogReader;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LogRecordCodec;
import io.cacdb.engine.wal.LogTail;
import io.cacdb.engine.wal.LogWriter;
import io.cacdb.engine.wal.MetaRecords;
import io.cacdb.ioscheduler.IoScheduler;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional engine over one volume, as the active node runs it: log writer, buffer pool, lock manager,
 * transaction manager, index directory and checkpointer, opened by crash recovery.
 *
 * <h2>Open, in order (each step logged with its duration)</h2>
 * <ol>
 *   <li>refuse a volume whose restore marker (META block 3) says a restore has not finished;</li>
 *   <li>read the epoch history and the checkpoint pointer from META (the caller has already fenced the volume to the
 *       writer's epoch, which must be above every epoch in the history);</li>
 *   <li>{@link LogEnd#find} from the checkpoint's redo start (or 0): the durable end of the log;</li>
 *   <li>{@link MetaRecords#appendEpoch}: the new epoch starts there, which voids any stale tail of the old one;</li>
 *   <li>start the {@link LogWriter} from that tail and append {@code EpochStart} as the epoch's first MTR; start the
 *       buffer pool with its write path (redone pages may be written during redo: their pageLSNs are below the
 *       durable end);</li>
 *   <li>{@link Recovery#analyseAndRedo}; format the volume if it has never been formatted; open the
 *       {@link IndexDirectory}; {@link Recovery#undo} of the losers with CLRs under the new epoch;</li>
 *   <li>a checkpoint (so the next recovery starts after this one), then the background checkpointer, then serve.</li>
 * </ol>
 *
 * <h2>Take over, in order ({@link #takeOver}; the standby's replay replaces redo)</h2>
 * <ol>
 *   <li>{@link MetaRecords#appendEpoch} at the end of log the new active found after fencing (and the standby replayed
 *       to exactly);</li>
 *   <li>the {@link LogWriter} from that tail, {@code EpochStart} first;</li>
 *   <li>the standby's warm pool: replayed dirty pages that storage already holds (below the latest checkpoint's redo
 *       start) are settled ({@link BufferPool#settleReplayedPages}), then it gets its write path
 *       ({@link BufferPool#attachWritePath}) and starts;</li>
 *   <li>{@link Recovery#undo} of the losers the standby found, with CLRs under the new epoch;</li>
 *   <li>the background checkpointer, then serve; the first checkpoint runs right after, off the clients' path (it
 *       only shortens the next recovery).</li>
 * </ol>
 * Each step's duration is logged and kept in {@link #openSteps()}.
 *
 * <p><b>Durability.</b> A transaction committed through {@link #transactions()} is durable when commit returns; after
 * a crash, {@link #open} on the same volume (at a higher epoch) finds every such commit and none of the uncommitted
 * changes. {@link #close()} flushes every page and checkpoints, so the next open has nothing to redo.
 *
 * <p>Threads: thread-safe; see each part. Open and close are not concurrent with anything else.
 */
public final class Engine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private final VolumeWriter volume;
    private final EngineConfig config;
    private final MeterRegistry registry;
    private final IoScheduler scheduler;
    private final LogWriter logWriter;
    private final BufferPool pool;
    private final LockManager lockManager;
    private final TransactionManager txns;
    private final IndexDirectory indexes;
    private final Checkpointer checkpointer;
    private final Recovery.Report recoveryReport;
    private final LogRecordCodec codec;
    private final EpochHistory epochHistory;
    private final Map<String, Duration> openSteps;
    private boolean closed;

    private Engine(Builder b) {
        this.volume = b.volume;
        this.config = b.config;
        this.registry = b.registry;
        this.scheduler = b.scheduler;
        this.logWriter = b.logWriter;
        this.pool = b.pool;
        this.lockManager = b.lockManager;
        this.txns = b.txns;
        this.indexes = b.indexes;
        this.checkpointer = b.checkpointer;
        this.recoveryReport = b.report;
        this.codec = b.codec;
        this.epochHistory = b.history;
        this.openSteps = Collections.unmodifiableMap(new LinkedHashMap<>(b.steps));
    }

    /** Parts of an engine while it opens, so a failed open can close what it started. */
    private static final class Builder {
        VolumeWriter volume;
        EngineConfig config;
        MeterRegistry registry;
        IoScheduler scheduler;
        LogWriter logWriter;
        BufferPool pool;
        LockManager lockManager;
        TransactionManager txns;
        IndexDirectory indexes;
        Checkpointer checkpointer;
        Recovery.Report report;
        LogRecordCodec codec;
        EpochHistory history;
        final Deque<AutoCloseable> opened = new ArrayDeque<>();
        final Map<String, Duration> steps = new LinkedHashMap<>();

        /** Records how long a step took (from {@code startedNanos} to now) and returns now. */
        long step(String name, long startedNanos) {
            long now = System.nanoTime();
            steps.put(name, Duration.ofNanos(now - startedNanos));
            return now;
        }
    }

    /**
     * What a standby hands to {@link #takeOver}: its warm pool (read-only until now, replayed exactly to
     * {@code tail.endLsn()}), the IO scheduler the pool reads through, the end of the log found after fencing with its
     * tail block, the redo start of the latest checkpoint, the epoch history read after fencing, and the transactions
     * in flight at the end (the losers). The engine owns the pool and the scheduler from then on.
     */
    public record WarmStart(BufferPool pool, IoScheduler scheduler, LogTail tail, long redoStartLsn,
                            EpochHistory history, List<Analysis.Loser> losers) {
        public WarmStart {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(scheduler, "scheduler");
            Objects.requireNonNull(tail, "tail");
            Objects.requireNonNull(history, "history");
            losers = List.copyOf(losers);
            if (redoStartLsn < 0 || redoStartLsn > tail.endLsn()) {
                throw new IllegalArgumentException("redo start " + redoStartLsn + " outside [0, end of log "
                        + tail.endLsn() + "]");
            }
        }
    }

    /** {@link #open(VolumeWriter, EngineConfig, MeterRegistry, LongSupplier)} with no retention floor. */
    public static Engine open(VolumeWriter volume, EngineConfig config, MeterRegistry registry) {
        return open(volume, config, registry, () -> Long.MAX_VALUE);
    }

    /**
     * Opens the engine on {@code volume}, formatting it if it is new and recovering it otherwise. The caller must
     * have fenced the volume to {@code volume.epoch()} ({@code DaxClient.fence}; {@code MemoryVolume.withEpoch}),
     * which must be above every epoch that wrote the volume before.
     *
     * @param retentionFloorLsn log at or above this LSN is never truncated (the standby's replayed LSN, an archive
     *                          point); {@code () -> Long.MAX_VALUE} for none
     */
    public static Engine open(VolumeWriter volume, EngineConfig config, MeterRegistry registry,
                              LongSupplier retentionFloorLsn) {
        Builder b = new Builder();
        b.volume = Objects.requireNonNull(volume, "volume");
        b.config = Objects.requireNonNull(config, "config");
        b.registry = Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(retentionFloorLsn, "retentionFloorLsn");
        try {
            openInto(b, retentionFloorLsn);
        } catch (RuntimeException | Error e) {
            while (!b.opened.isEmpty()) {
                try {
                    b.opened.pop().close();
                } catch (Exception closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            throw e;
        }
        return new Engine(b);
    }

    /**
     * The takeover: opens the engine on {@code volume} with a standby's warm pool instead of crash recovery (see the
     * class comment for the steps). The caller has fenced the volume to {@code volume.epoch()}, found the end of the
     * log ({@code LogEnd.find}) and had the standby replay exactly up to it; {@code warm} carries the rest. On failure
     * everything, the warm pool and scheduler included, is closed, and the caller may recover cold with
     * {@link #open} at a higher epoch.
     *
     * @param retentionFloorLsn as for {@link #open}
     */
    public static Engine takeOver(VolumeWriter volume, EngineConfig config, MeterRegistry registry,
                                  LongSupplier retentionFloorLsn, WarmStart warm) {
        Builder b = new Builder();
        b.volume = Objects.requireNonNull(volume, "volume");
        b.config = Objects.requireNonNull(config, "config");
        b.registry = Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(retentionFloorLsn, "retentionFloorLsn");
        Objects.requireNonNull(warm, "warm");
        b.scheduler = warm.scheduler();
        b.opened.push(b.scheduler);
        b.pool = warm.pool();
        b.opened.push(b.pool);
        try {
            takeOverInto(b, retentionFloorLsn, warm);
        } catch (RuntimeException | Error e) {
            while (!b.opened.isEmpty()) {
                try {
                    b.opened.pop().close();
                } catch (Exception closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            throw e;
        }
        return new Engine(b);
    }

    private static void takeOverInto(Builder b, LongSupplier retentionFloorLsn, WarmStart warm) {
        long started = System.nanoTime();
        VolumeWriter volume = b.volume;
        EngineConfig config = b.config;
        long epoch = volume.epoch();
        long end = warm.tail().endLsn();
        long redoStart = warm.redoStartLsn();
        b.codec = new LogRecordCodec(PageOps::decode);
        if (epoch <= warm.history().latestEpoch()) {
            throw new IllegalStateException("volume " + volume.volume() + " was last written at epoch "
                    + warm.history().latestEpoch() + "; take over with a writer fenced to a higher epoch, not " + epoch);
        }

        long t = System.nanoTime();
        b.history = await(MetaRecords.appendEpoch(volume, epoch, end), config.openStorageWaitMax(),
                "storing the new epoch");
        b.logWriter = LogWriter.start(volume, config.log(), warm.tail(), redoStart, b.registry);
        b.opened.push(b.logWriter);
        b.logWriter.appendMtr(List.of(new LogRecord.EpochStart(epoch, end)));
        t = b.step("new_epoch", t);
        log.info("take over volume {} at epoch {}: the epoch starts at LSN {}, log writer running ({} ms)",
                volume.volume(), epoch, end, millisSince(started));

        BufferPool.Settled settled = b.pool.settleReplayedPages(redoStart);
        log.info("take over volume {}: of the replayed dirty pages below the redo start {}, {} are already in storage,"
                + " {} keep their later changes dirty", volume.volume(), redoStart, settled.cleaned(), settled.raised());
        LogWriter logWriter = b.logWriter;
        b.pool.attachWritePath(volume, new DurableLog() {
            @Override
            public long durableLsn() {
                return logWriter.durableLsn();
            }

            @Override
            public CompletableFuture<Void> awaitDurable(long lsn) {
                return logWriter.awaitDurable(lsn);
            }
        });
        b.pool.start();
        b.lockManager = new LockManager(config.locks(), b.registry);
        b.txns = new TransactionManager(b.pool, b.logWriter, b.lockManager, config.transactions(), b.registry);
        BufferPool pool = b.pool;
        b.txns.setHaltListener(cause -> pool.close());
        if (!IndexDirectory.isFormatted(b.pool)) {
            throw new IllegalStateException("volume " + volume.volume() + " was never formatted: nothing to take over"
                    + " (open it with Engine.open)");
        }
        b.indexes = IndexDirectory.open(b.txns);
        b.txns.setIndexResolver(b.indexes);
        t = b.step("write_path", t);

        EpochHistory readHistory = b.history;
        LogReader chain = new LogReader(volume, b.codec, ReadConsistency.QUORUM, () -> readHistory, redoStart);
        Recovery.UndoResult undo = Recovery.undo(warm.losers(), chain, b.txns, b.indexes);
        b.report = new Recovery.Report(new Recovery.RedoResult(redoStart, end, 0, 0, 0, 0, warm.losers(),
                Duration.ZERO), undo);
        t = b.step("undo", t);
        log.info("take over volume {}: {} losers rolled back with {} CLRs ({} ms)", volume.volume(),
                undo.losersRolledBack(), undo.compensations(), undo.duration().toMillis());

        b.checkpointer = new Checkpointer(volume, b.logWriter, b.pool, b.txns, config.checkpoints(), redoStart,
                retentionFloorLsn, b.registry);
        b.opened.push(b.checkpointer);
        b.checkpointer.start();
        b.txns.startServing();
        b.step("serve", t);
        log.info("volume {} taken over at epoch {}: serving ({} ms in all)", volume.volume(), epoch,
                millisSince(started));
        // The first checkpoint only shortens the next recovery; clients need not wait for it.
        Checkpointer checkpointer = b.checkpointer;
        Thread.ofVirtual().name("takeover-checkpoint-v" + volume.volume()).start(() -> {
            long c = System.nanoTime();
            try {
                Checkpointer.Result first = checkpointer.checkpoint();
                log.info("take over volume {}: first checkpoint at LSN {} ({} ms, after serving)", volume.volume(),
                        first.checkpointLsn(), millisSince(c));
            } catch (RuntimeException e) {
                log.warn("take over volume {}: the first checkpoint failed; the periodic one follows", volume.volume(),
                        e);
            }
        });
    }

    private static void openInto(Builder b, LongSupplier retentionFloorLsn) {
        long openStarted = System.nanoTime();
        VolumeWriter volume = b.volume;
        EngineConfig config = b.config;
        Duration wait = config.openStorageWaitMax();
        long epoch = volume.epoch();
        b.codec = new LogRecordCodec(PageOps::decode);

        long t = System.nanoTime();
        if (await(MetaRecords.readRestoreState(volume), wait, "reading the restore marker")
                .filter(s -> s != MetaRecords.RestoreState.COMPLETE).isPresent()) {
            throw new IllegalStateException("volume " + volume.volume() + " is being restored from an archive, or its"
                    + " restore failed half-way: it is not usable; run the restore again into a new volume");
        }
        EpochHistory history = await(MetaRecords.epochHistory(volume), wait, "reading the epoch history");
        if (epoch <= history.latestEpoch()) {
            throw new IllegalStateException("volume " + volume.volume() + " was last written at epoch "
                    + history.latestEpoch() + "; open it with a writer fenced to a higher epoch, not " + epoch);
        }
        Optional<CheckpointPointer> pointer = await(MetaRecords.readCheckpoint(volume), wait,
                "reading the checkpoint pointer").map(MetaRecords.Stored::value);
        long redoStart = pointer.map(CheckpointPointer::redoStartLsn).orElse(0L);
        long checkpointLsn = pointer.map(CheckpointPointer::checkpointLsn).orElse(-1L);
        LogTail tail = LogEnd.find(volume, b.codec, history, redoStart);
        b.history = await(MetaRecords.appendEpoch(volume, epoch, tail.endLsn()), wait, "storing the new epoch");
        b.step("log_end", t);
        log.info("open volume {} at epoch {}: checkpoint {}, redo from LSN {}, durable end of log {} ({} ms)",
                volume.volume(), epoch, pointer.map(Object::toString).orElse("none"), redoStart, tail.endLsn(),
                millisSince(t));

        b.logWriter = LogWriter.start(volume, config.log(), tail, redoStart, b.registry);
        b.opened.push(b.logWriter);
        b.logWriter.appendMtr(List.of(new LogRecord.EpochStart(epoch, tail.endLsn())));
        b.scheduler = new IoScheduler(config.io(), b.registry);
        b.opened.push(b.scheduler);
        LogWriter logWriter = b.logWriter;
        DurableLog durableLog = new DurableLog() {
            @Override
            public long durableLsn() {
                return logWriter.durableLsn();
            }

            @Override
            public CompletableFuture<Void> awaitDurable(long lsn) {
                return logWriter.awaitDurable(lsn);
            }
        };
        b.pool = BufferPool.builder(config.bufferPool(), volume, b.scheduler, b.registry)
                .writePath(volume, durableLog).build();
        b.opened.push(b.pool);
        b.pool.start();
        b.lockManager = new LockManager(config.locks(), b.registry);
        b.txns = new TransactionManager(b.pool, b.logWriter, b.lockManager, config.transactions(), b.registry);
        BufferPool pool = b.pool;
        b.txns.setHaltListener(cause -> pool.close());

        EpochHistory readHistory = b.history;
        LogReader reader = new LogReader(volume, b.codec, ReadConsistency.QUORUM, () -> readHistory, redoStart);
        t = System.nanoTime();
        Recovery.RedoResult redo = Recovery.analyseAndRedo(reader, checkpointLsn, tail.endLsn(), b.pool);
        b.step("redo", t);

        if (!IndexDirectory.isFormatted(b.pool)) {
            if (!redo.losers().isEmpty()) {
                throw new IllegalStateException("volume " + volume.volume() + " has no index directory but "
                        + redo.losers().size() + " unfinished transactions in its log");
            }
            t = System.nanoTime();
            IndexDirectory.format(b.txns);
            log.info("formatted volume {} ({} ms)", volume.volume(), millisSince(t));
        }
        b.indexes = IndexDirectory.open(b.txns);
        b.txns.setIndexResolver(b.indexes);
        LogReader chain = new LogReader(volume, b.codec, ReadConsistency.QUORUM, () -> readHistory, redoStart);
        t = System.nanoTime();
        Recovery.UndoResult undo = Recovery.undo(redo.losers(), chain, b.txns, b.indexes);
        b.report = new Recovery.Report(redo, undo);
        b.step("undo", t);

        b.checkpointer = new Checkpointer(volume, b.logWriter, b.pool, b.txns, config.checkpoints(), redoStart,
                retentionFloorLsn, b.registry);
        b.opened.push(b.checkpointer);
        t = System.nanoTime();
        Checkpointer.Result first = b.checkpointer.checkpoint();
        b.step("checkpoint", t);
        log.info("open volume {}: first checkpoint at LSN {} ({} ms)", volume.volume(), first.checkpointLsn(),
                millisSince(t));
        b.checkpointer.start();
        b.txns.startServing();
        log.info("volume {} open at epoch {}: serving ({} ms in all)", volume.volume(), epoch,
                millisSince(openStarted));
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    private static <T> T await(CompletableFuture<T> f, Duration wait, String what) {
        try {
            return f.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(what + " failed", c);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " did not finish within " + wait + "; is the storage tier"
                    + " reachable?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        }
    }

    /** Begins, commits and rolls back transactions. */
    public TransactionManager transactions() {
        return txns;
    }

    /** The registry of B+trees (the catalog's base). */
    public IndexDirectory indexes() {
        return indexes;
    }

    /** Where pages are fixed (the buffer pool). */
    public PageSource pageSource() {
        return pool;
    }

    public BufferPool bufferPool() {
        return pool;
    }

    public LogWriter logWriter() {
        return logWriter;
    }

    public Checkpointer checkpointer() {
        return checkpointer;
    }

    public LockManager lockManager() {
        return lockManager;
    }

    /**
     * How long each step of {@link #open} ({@code log_end}, {@code redo}, {@code undo}, {@code checkpoint}) or of
     * {@link #takeOver} ({@code new_epoch}, {@code write_path}, {@code undo}, {@code serve}) took,
     * in order.
     */
    public Map<String, Duration> openSteps() {
        return openSteps;
    }

    /** What recovery did when this engine opened (after a takeover: no redo, the standby's losers undone). */
    public Recovery.Report recoveryReport() {
        return recoveryReport;
    }

    /** The codec this engine reads its log with (for tools and tests that read the log). */
    public LogRecordCodec logCodec() {
        return codec;
    }

    /** The epoch history as stored at open, including this engine's epoch. */
    public EpochHistory epochHistory() {
        return epochHistory;
    }

    public MeterRegistry metrics() {
        return registry;
    }

    public EngineConfig config() {
        return config;
    }

    public long epoch() {
        return volume.epoch();
    }

    /**
     * Clean shutdown: no new transactions, stop the checkpointer, flush every dirty page, take a final checkpoint,
     * drain the log, stop the pool and the IO scheduler. Transactions still running are not waited for; they are
     * losers for the next open. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        txns.close();
        checkpointer.close();
        if (txns.state() != TransactionManager.State.HALTED) {
            try {
                pool.flushAll(config.checkpoints().storageWaitMax());
                checkpointer.checkpoint();
            } catch (RuntimeException e) {
                log.warn("volume {}: final flush and checkpoint failed; the next open recovers from the last"
                        + " checkpoint", volume.volume(), e);
            }
        }
        logWriter.close();
        pool.close();
        scheduler.close();
    }

    /**
     * Stops every thread without flushing pages or checkpointing: what storage has acknowledged is all that remains,
     * as after a crash (tests), or for a node that lost its epoch. Idempotent.
     */
    public synchronized void closeAbruptly() {
        if (closed) {
            return;
        }
        closed = true;
        txns.close();
        txns.cancelLockWaits();
        checkpointer.close();
        pool.close();
        logWriter.close();
        scheduler.close();
    }
}
