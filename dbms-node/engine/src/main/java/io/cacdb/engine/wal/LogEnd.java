package io.cacdb.engine.wal;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Finds the durable end of the log with quorum reads, for crash recovery and takeover (DESIGN §6, step 2).
 *
 * <h2>Algorithm</h2>
 * <ol>
 *   <li>From the block holding a known start LSN (a checkpoint's LSN, an MTR boundary), an exponential then binary
 *       search over block numbers finds a present block {@code L} whose successor is absent. "Present" means the
 *       block exists at {@link ReadConsistency#QUORUM} and has bytes its epoch still owns per the epoch history.</li>
 *   <li>Because a crash can leave holes — blocks acknowledged after an earlier one was not — {@code L} may lie past
 *       the real end. Every writer only writes inside a window of {@link LogWriterConfig#WRITES_IN_FLIGHT_LIMIT}
 *       blocks from its durable LSN, so holes are confined to that many blocks; records are therefore parsed from a
 *       record boundary at or before {@code L - WRITES_IN_FLIGHT_LIMIT} (found through the block headers'
 *       first-record offsets) with a {@link LogReader} at quorum, which stops at the first gap, partial block or
 *       stale-epoch block.</li>
 *   <li>The end is the end of the last complete mini-transaction: records of an MTR whose end never made it are not
 *       part of the log (the next writer overwrites them).</li>
 * </ol>
 * Each step is a read at quorum, so anything acknowledged at write quorum (R + W > N) is found. Bytes of a write
 * that reached fewer replicas may or may not be found; either answer is a consistent log, and the new epoch's writes
 * (which start at the end found, with {@code Version (newEpoch, used)}) supersede whatever stale tail remains.
 */
public final class LogEnd {

    /** Holes a crash can leave: every writer's write window is at most this many blocks. */
    static final int HOLE_WINDOW_BLOCKS = LogWriterConfig.WRITES_IN_FLIGHT_LIMIT;

    /** Records parsed per reader poll while scanning for the end; only the position is kept. */
    private static final int SCAN_BATCH_RECORDS = 4096;

    private LogEnd() {
    }

    /**
     * The durable end of the log after {@code startLsn}, which must be the start of an MTR that is in the log (or the
     * end of the log itself), with the bytes of the end's block before it, ready for {@link LogWriter#start}.
     *
     * @throws CorruptLogException if the block holding {@code startLsn} is gone or shorter than it, or bytes fail
     *                             validation on the way
     */
    public static LogTail find(VolumeReader volume, LogRecordCodec codec, EpochHistory history, long startLsn) {
        long b0 = LogBlock.blockOf(startLsn);
        int startOffset = LogBlock.offsetOf(startLsn);
        int validAtStart = validBytes(volume, history, b0);
        if (validAtStart < 0 && startOffset == 0) {
            return new LogTail(startLsn, new byte[0], LogBlock.NO_RECORD_START);
        }
        if (validAtStart < startOffset) {
            throw new CorruptLogException(startLsn, "the log block holding the start LSN has "
                    + (validAtStart < 0 ? "gone" : validAtStart + " valid bytes, less than offset " + startOffset)
                    + "; was the log truncated past it?");
        }
        long last = lastPresentBlock(volume, history, b0);
        long scanFrom = Math.max(b0, last - HOLE_WINDOW_BLOCKS);
        long end = -1;
        while (end < 0) {
            long parseFrom = recordBoundaryAtOrBefore(volume, history, scanFrom, b0, startLsn);
            end = lastMtrEnd(volume, codec, history, parseFrom);
            if (end < 0) {
                if (parseFrom == startLsn) {
                    end = startLsn; // no complete MTR after the start: the log ends where it started
                } else {
                    scanFrom = Math.max(b0, scanFrom - HOLE_WINDOW_BLOCKS);
                }
            }
        }
        return tailAt(volume, history, end);
    }

    /** The highest block number {@code L >= b0} found present whose successor is absent. {@code b0} is present. */
    private static long lastPresentBlock(VolumeReader volume, EpochHistory history, long b0) {
        long lo = b0;
        long step = 1;
        long hi;
        while (true) {
            long probe = b0 + step;
            if (validBytes(volume, history, probe) > 0) {
                lo = probe;
                step *= 2;
            } else {
                hi = probe;
                break;
            }
        }
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (validBytes(volume, history, mid) > 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** A record start at or before block {@code blockNo}'s start, found through first-record offsets. */
    private static long recordBoundaryAtOrBefore(VolumeReader volume, EpochHistory history, long blockNo, long b0,
                                                 long startLsn) {
        for (long b = blockNo; b > b0; b--) {
            Optional<LogBlock> block = readBlock(volume, b);
            if (block.isPresent()) {
                LogBlock lb = block.get();
                int valid = valid(lb, history);
                if (lb.firstRecordOffset() != LogBlock.NO_RECORD_START && lb.firstRecordOffset() < valid) {
                    return lb.startLsn() + lb.firstRecordOffset();
                }
            }
        }
        return startLsn;
    }

    /** End of the last complete MTR readable from {@code from}, or -1 if none is. */
    private static long lastMtrEnd(VolumeReader volume, LogRecordCodec codec, EpochHistory history, long from) {
        LogReader reader = new LogReader(volume, codec, ReadConsistency.QUORUM, () -> history, from);
        long end = -1;
        while (true) {
            List<LoggedRecord> batch = reader.poll(SCAN_BATCH_RECORDS);
            if (batch.isEmpty()) {
                return end;
            }
            for (LoggedRecord r : batch) {
                if (r.mtrEnd()) {
                    end = r.endLsn();
                }
            }
        }
    }

    private static LogTail tailAt(VolumeReader volume, EpochHistory history, long end) {
        int offset = LogBlock.offsetOf(end);
        if (offset == 0) {
            return new LogTail(end, new byte[0], LogBlock.NO_RECORD_START);
        }
        long blockNo = LogBlock.blockOf(end);
        LogBlock block = readBlock(volume, blockNo).orElseThrow(() -> new CorruptLogException(end,
                "log block " + blockNo + " holding the end of the log vanished while finding the end"));
        if (valid(block, history) < offset) {
            throw new CorruptLogException(end, "log block " + blockNo + " shrank below the end of the log while"
                    + " finding it: " + valid(block, history) + " valid bytes, end at offset " + offset);
        }
        int first = block.firstRecordOffset() < offset ? block.firstRecordOffset() : LogBlock.NO_RECORD_START;
        return new LogTail(end, Arrays.copyOf(block.payload(), offset), first);
    }

    /** Valid bytes of a block (its epoch still owns them), -1 if the block is absent. */
    private static int validBytes(VolumeReader volume, EpochHistory history, long blockNo) {
        return readBlock(volume, blockNo).map(b -> valid(b, history)).orElse(-1);
    }

    private static int valid(LogBlock b, EpochHistory history) {
        return (int) Math.min(b.usedBytes(), Math.max(0, history.voidFrom(b.epoch()) - b.startLsn()));
    }

    private static Optional<LogBlock> readBlock(VolumeReader volume, long blockNo) {
        Optional<Block> stored;
        try {
            stored = volume.read(BlockAddress.log(volume.volume(), blockNo), ReadConsistency.QUORUM, Version.ZERO)
                    .get(LogReader.BLOCK_READ_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LogReadFailedException(blockNo, e);
        } catch (ExecutionException e) {
            throw new LogReadFailedException(blockNo, e.getCause());
        } catch (TimeoutException e) {
            throw new LogReadFailedException(blockNo, e);
        }
        return stored.map(b -> LogBlock.decode(b, blockNo));
    }
}
