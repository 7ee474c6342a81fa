package io.cacdb.engine.wal;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the log writer. The relations between them are checked here, at start-up, so a writer never runs with a
 * buffer that cannot hold its largest record or a budget smaller than its buffer.
 *
 * @param bufferCapacityBytes bytes of appended-but-not-yet-durable log held in memory (rounded down to whole blocks)
 * @param writesInFlightMax   log block writes outstanding at DAX at once; also how far past the durable LSN's block
 *                            the writer may write, which bounds the holes a crash can leave ({@link LogEnd} relies on
 *                            it, up to {@link #WRITES_IN_FLIGHT_LIMIT})
 * @param logBudgetBytes      bytes allowed between the truncation point and the end of the log before appends wait
 * @param appendWaitMax       how long an append waits for buffer space or log budget before it fails
 * @param closeDrainMax       how long {@link LogWriter#close()} waits for appended bytes to become durable
 */
public record LogWriterConfig(int bufferCapacityBytes, int writesInFlightMax, long logBudgetBytes,
                              Duration appendWaitMax, Duration closeDrainMax) {

    /**
     * 16 MiB: at a few hundred MB/s of log this absorbs tens of milliseconds of appends while DAX writes are slow,
     * and it must hold a maximal record ({@link LogRecordCodec#MAX_RECORD_BYTES}) with room to spare.
     */
    public static final int BUFFER_CAPACITY_BYTES_DEFAULT = 16 << 20;
    /**
     * 8 writes of 8 KiB in flight: with a quorum write latency of ~1 ms that is ~64 MB/s of full blocks, while the
     * tail block keeps group-committing; more would only widen the window of holes a crash can leave.
     */
    public static final int WRITES_IN_FLIGHT_DEFAULT = 8;
    /**
     * Upper bound for {@link #writesInFlightMax} that every writer honours; {@link LogEnd} searches this many blocks
     * back for holes, so raising it means older writers' logs are still searched correctly.
     */
    public static final int WRITES_IN_FLIGHT_LIMIT = 64;
    /**
     * 4 GiB of log between truncation point and end: minutes of peak writes, so a late checkpoint or a lagging
     * standby does not stall commits at once, while DAX space used by the log stays bounded.
     */
    public static final long LOG_BUDGET_BYTES_DEFAULT = 4L << 30;
    /** 5 s: long enough to ride out a DAX hiccup or a checkpoint, short enough that a client sees an error. */
    public static final Duration APPEND_WAIT_MAX_DEFAULT = Duration.ofSeconds(5);
    /** 5 s: a clean shutdown waits this long for the last group of commits to become durable. */
    public static final Duration CLOSE_DRAIN_MAX_DEFAULT = Duration.ofSeconds(5);

    public LogWriterConfig {
        Objects.requireNonNull(appendWaitMax, "appendWaitMax");
        Objects.requireNonNull(closeDrainMax, "closeDrainMax");
        if (writesInFlightMax < 1 || writesInFlightMax > WRITES_IN_FLIGHT_LIMIT) {
            throw new IllegalArgumentException("writesInFlightMax " + writesInFlightMax + " must be in [1, "
                    + WRITES_IN_FLIGHT_LIMIT + "]");
        }
        int blocks = bufferCapacityBytes / LogBlock.LOG_BLOCK_PAYLOAD_BYTES;
        if (blocks < writesInFlightMax + 1) {
            throw new IllegalArgumentException("buffer of " + bufferCapacityBytes + " bytes holds " + blocks
                    + " blocks, needs at least writesInFlightMax + 1 = " + (writesInFlightMax + 1));
        }
        if (logBudgetBytes < 2L * bufferCapacityBytes) {
            throw new IllegalArgumentException("logBudgetBytes " + logBudgetBytes
                    + " must be at least twice bufferCapacityBytes " + bufferCapacityBytes
                    + ", or the budget would stall appends before the buffer can fill");
        }
        if (appendWaitMax.isNegative() || closeDrainMax.isNegative()) {
            throw new IllegalArgumentException("waits must be >= 0: " + appendWaitMax + ", " + closeDrainMax);
        }
    }

    public static LogWriterConfig defaults() {
        LogWriterConfig c = new LogWriterConfig(BUFFER_CAPACITY_BYTES_DEFAULT, WRITES_IN_FLIGHT_DEFAULT,
                LOG_BUDGET_BYTES_DEFAULT, APPEND_WAIT_MAX_DEFAULT, CLOSE_DRAIN_MAX_DEFAULT);
        if (c.maxMtrBytes() < LogRecordCodec.MAX_RECORD_BYTES) {
            throw new IllegalStateException("default buffer cannot hold a maximal record");
        }
        return c;
    }

    /** Whole blocks the buffer holds. */
    public int bufferCapacityBlocks() {
        return bufferCapacityBytes / LogBlock.LOG_BLOCK_PAYLOAD_BYTES;
    }

    /**
     * The largest MTR that can always be appended: it must fit in the buffer next to a partly filled tail block.
     * A config whose value is below {@link LogRecordCodec#MAX_RECORD_BYTES} (tests) simply rejects larger MTRs.
     */
    public int maxMtrBytes() {
        return (bufferCapacityBlocks() - 1) * LogBlock.LOG_BLOCK_PAYLOAD_BYTES;
    }

    public LogWriterConfig withBufferCapacityBytes(int bytes) {
        return new LogWriterConfig(bytes, writesInFlightMax, logBudgetBytes, appendWaitMax, closeDrainMax);
    }

    public LogWriterConfig withWritesInFlightMax(int n) {
        return new LogWriterConfig(bufferCapacityBytes, n, logBudgetBytes, appendWaitMax, closeDrainMax);
    }

    public LogWriterConfig withLogBudgetBytes(long bytes) {
        return new LogWriterConfig(bufferCapacityBytes, writesInFlightMax, bytes, appendWaitMax, closeDrainMax);
    }

    public LogWriterConfig withAppendWaitMax(Duration d) {
        return new LogWriterConfig(bufferCapacityBytes, writesInFlightMax, logBudgetBytes, d, closeDrainMax);
    }

    public LogWriterConfig withCloseDrainMax(Duration d) {
        return new LogWriterConfig(bufferCapacityBytes, writesInFlightMax, logBudgetBytes, appendWaitMax, d);
    }
}
