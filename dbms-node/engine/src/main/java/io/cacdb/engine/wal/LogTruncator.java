package io.cacdb.engine.wal;

import io.cacdb.dax.block.Space;
import io.cacdb.engine.volume.VolumeWriter;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Deletes log blocks nobody needs any more: everything below
 * {@code min(checkpoint redo start, retention floor, durable LSN)}, rounded down to the start of the block holding
 * that LSN — the block holding it is never deleted, so reading from the redo start always works.
 *
 * <p>The retention floor is policy, supplied from outside (DESIGN §6, slow standby): the standby's replayed LSN under
 * {@code active-wait} and {@code increase-read-io}, an archive point, or {@link Long#MAX_VALUE} under
 * {@code unsafe-eviction}. The durable LSN is a safety clamp: log not yet durable is never deleted (the checkpoint
 * pointer is only written after its record is durable, so this changes nothing when callers are right).
 *
 * <p>After DAX confirms a deletion, {@code onTruncated} gets the new start of the log (the writer's
 * {@link LogWriter#truncationAdvanced}, which frees log budget). The truncation point never goes back. Thread-safe;
 * callers run {@link #truncate} after each checkpoint and whenever the retention floor moves.
 */
public final class LogTruncator {

    private final VolumeWriter volume;
    private final LongSupplier redoStartLsn;
    private final LongSupplier retentionFloorLsn;
    private final LongSupplier durableLsn;
    private final LongConsumer onTruncated;
    private long requestedBelowBlock;
    private volatile long truncatedBelowLsn;

    public LogTruncator(VolumeWriter volume, LongSupplier redoStartLsn, LongSupplier retentionFloorLsn,
                        LongSupplier durableLsn, LongConsumer onTruncated) {
        this.volume = Objects.requireNonNull(volume, "volume");
        this.redoStartLsn = Objects.requireNonNull(redoStartLsn, "redoStartLsn");
        this.retentionFloorLsn = Objects.requireNonNull(retentionFloorLsn, "retentionFloorLsn");
        this.durableLsn = Objects.requireNonNull(durableLsn, "durableLsn");
        this.onTruncated = Objects.requireNonNull(onTruncated, "onTruncated");
    }

    /**
     * Deletes what can be deleted now; completes with the LSN below which the log is deleted (the start of the block
     * holding the floor), which may be unchanged.
     */
    public synchronized CompletableFuture<Long> truncate() {
        long floor = Math.min(redoStartLsn.getAsLong(), Math.min(retentionFloorLsn.getAsLong(),
                durableLsn.getAsLong()));
        if (floor < 0) {
            throw new IllegalStateException("truncation floor " + floor + " is negative");
        }
        long blockNo = LogBlock.blockOf(floor);
        if (blockNo <= requestedBelowBlock) {
            return CompletableFuture.completedFuture(truncatedBelowLsn);
        }
        requestedBelowBlock = blockNo;
        long lsn = LogBlock.startLsn(blockNo);
        if (lsn > floor) {
            throw new AssertionError("truncation LSN " + lsn + " would pass the floor " + floor);
        }
        return volume.deleteBelow(Space.LOG, blockNo).handle((v, e) -> {
            if (e != null) {
                retryLater(blockNo);
                throw new java.util.concurrent.CompletionException("deleting log blocks below " + blockNo
                        + " failed; the next truncate() retries", e);
            }
            advance(lsn);
            return lsn;
        });
    }

    private synchronized void retryLater(long failedBlockNo) {
        if (requestedBelowBlock == failedBlockNo) {
            requestedBelowBlock = LogBlock.blockOf(truncatedBelowLsn);
        }
    }

    /** The log below this LSN has been deleted (as far as this truncator knows). */
    public long truncatedBelowLsn() {
        return truncatedBelowLsn;
    }

    private synchronized void advance(long lsn) {
        if (lsn > truncatedBelowLsn) {
            truncatedBelowLsn = lsn;
            onTruncated.accept(lsn);
        }
    }
}
