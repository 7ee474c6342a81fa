package io.cacdb.engine;

import io.cacdb.engine.bufferpool.BufferPoolConfig;
import io.cacdb.engine.checkpoint.CheckpointConfig;
import io.cacdb.engine.lock.LockConfig;
import io.cacdb.engine.txn.TransactionConfig;
import io.cacdb.engine.wal.LogRecordCodec;
import io.cacdb.engine.wal.LogWriterConfig;
import io.cacdb.ioscheduler.IoSchedulerConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything an {@link Engine} is configured with, by part, with the relations between parts checked here at start-up
 * (each part checks its own).
 *
 * @param bufferPool     frames (memory), flusher pace, read and frame timeouts
 * @param log            log buffer, writes in flight, log budget (how much log may accumulate before commits wait)
 * @param io             the IO scheduler's in-flight limits and queues
 * @param locks          lock wait timeout, lock table shape and bounds
 * @param transactions   commit durability bound, transaction id space
 * @param checkpoints    checkpoint and flush watermark intervals, storage waits
 * @param openStorageWaitMax bound on each storage step of {@link Engine#open} (META reads and writes); 30 s, far above
 *                       a healthy quorum round trip, so an unreachable tier fails the open instead of hanging it
 */
public record EngineConfig(BufferPoolConfig bufferPool, LogWriterConfig log, IoSchedulerConfig io, LockConfig locks,
                           TransactionConfig transactions, CheckpointConfig checkpoints,
                           Duration openStorageWaitMax) {

    public static final Duration OPEN_STORAGE_WAIT_MAX_DEFAULT = Duration.ofSeconds(30);

    /**
     * Active transactions a checkpoint record must always be able to list besides a full dirty-page table: several
     * times the sessions a node runs at once. Beyond it a checkpoint may not fit one record and fails (recovery then
     * starts from the previous one).
     */
    public static final int CHECKPOINT_ACTIVE_TXNS_RESERVE = 10_000;

    /** Bytes per dirty page and per active transaction in a checkpoint record ({@code docs/wal-format.md}). */
    static final int CHECKPOINT_DIRTY_PAGE_BYTES = 16;
    static final int CHECKPOINT_ACTIVE_TXN_BYTES = 24;
    static final int CHECKPOINT_FIXED_BYTES = LogRecordCodec.MIN_RECORD_BYTES + 8 + 4 + 4;

    public EngineConfig {
        Objects.requireNonNull(bufferPool, "bufferPool");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(locks, "locks");
        Objects.requireNonNull(transactions, "transactions");
        Objects.requireNonNull(checkpoints, "checkpoints");
        Objects.requireNonNull(openStorageWaitMax, "openStorageWaitMax");
        if (openStorageWaitMax.isNegative() || openStorageWaitMax.isZero()) {
            throw new IllegalArgumentException("openStorageWaitMax must be > 0, was " + openStorageWaitMax);
        }
        long checkpointBytes = checkpointRecordBytesMax(bufferPool.frames());
        long limit = Math.min(LogRecordCodec.MAX_RECORD_BYTES, log.maxMtrBytes());
        if (checkpointBytes > limit) {
            throw new IllegalArgumentException("a checkpoint of " + bufferPool.frames() + " dirty pages and "
                    + CHECKPOINT_ACTIVE_TXNS_RESERVE + " active transactions needs " + checkpointBytes
                    + " bytes, more than the largest record the log takes (" + limit + "): fewer frames or a larger"
                    + " log buffer");
        }
    }

    /** The largest checkpoint record this many frames can need with the reserved number of active transactions. */
    static long checkpointRecordBytesMax(int frames) {
        return CHECKPOINT_FIXED_BYTES + (long) frames * CHECKPOINT_DIRTY_PAGE_BYTES
                + (long) CHECKPOINT_ACTIVE_TXNS_RESERVE * CHECKPOINT_ACTIVE_TXN_BYTES;
    }

    public static EngineConfig defaults() {
        return new EngineConfig(BufferPoolConfig.defaults(), LogWriterConfig.defaults(), IoSchedulerConfig.defaults(),
                LockConfig.defaults(), TransactionConfig.defaults(), CheckpointConfig.defaults(),
                OPEN_STORAGE_WAIT_MAX_DEFAULT);
    }

    public EngineConfig withBufferPool(BufferPoolConfig c) {
        return new EngineConfig(c, log, io, locks, transactions, checkpoints, openStorageWaitMax);
    }

    public EngineConfig withLog(LogWriterConfig c) {
        return new EngineConfig(bufferPool, c, io, locks, transactions, checkpoints, openStorageWaitMax);
    }

    public EngineConfig withIo(IoSchedulerConfig c) {
        return new EngineConfig(bufferPool, log, c, locks, transactions, checkpoints, openStorageWaitMax);
    }

    public EngineConfig withLocks(LockConfig c) {
        return new EngineConfig(bufferPool, log, io, c, transactions, checkpoints, openStorageWaitMax);
    }

    public EngineConfig withTransactions(TransactionConfig c) {
        return new EngineConfig(bufferPool, log, io, locks, c, checkpoints, openStorageWaitMax);
    }

    public EngineConfig withCheckpoints(CheckpointConfig c) {
        return new EngineConfig(bufferPool, log, io, locks, transactions, c, openStorageWaitMax);
    }

    /** Buffer pool size in 8 KiB frames. */
    public EngineConfig withBufferPoolFrames(int frames) {
        return withBufferPool(bufferPool.withFrames(frames));
    }

    /** Log allowed between the truncation point and the end before appends wait. */
    public EngineConfig withLogBudgetBytes(long bytes) {
        return withLog(log.withLogBudgetBytes(bytes));
    }

    public EngineConfig withCheckpointInterval(Duration interval) {
        return withCheckpoints(checkpoints.withCheckpointInterval(interval));
    }

    public EngineConfig withLockWaitTimeout(Duration timeout) {
        return withLocks(locks.withLockWaitTimeout(timeout));
    }
}
