package io.cacdb.engine;

import io.cacdb.engine.bufferpool.BufferPool;
import io.cacdb.engine.bufferpool.DurableLog;
import io.cacdb.engine.checkpoint.Checkpointer;
import io.cacdb.engine.index.IndexDirectory;
import io.cacdb.engine.lock.LockManager;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.engine.page.PageOps;
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
import java.util.Deque;
import java.util.List;
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

    private static void openInto(Builder b, LongSupplier retentionFloorLsn) {
        long openStarted = System.nanoTime();
        VolumeWriter volume = b.volume;
        EngineConfig config = b.config;
        Duration wait = config.openStorageWaitMax();
        long epoch = volume.epoch();
        b.codec = new LogRecordCodec(PageOps::decode);

        long t = System.nanoTime();
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
        Recovery.RedoResult redo = Recovery.analyseAndRedo(reader, checkpointLsn, tail.endLsn(), b.pool);

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
        Recovery.UndoResult undo = Recovery.undo(redo.losers(), chain, b.txns, b.indexes);
        b.report = new Recovery.Report(redo, undo);

        b.checkpointer = new Checkpointer(volume, b.logWriter, b.pool, b.txns, config.checkpoints(), redoStart,
                retentionFloorLsn, b.registry);
        b.opened.push(b.checkpointer);
        t = System.nanoTime();
        Checkpointer.Result first = b.checkpointer.checkpoint();
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

    /** What recovery did when this engine opened. */
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
