package io.cacdb.engine.wal;

import static io.cacdb.engine.wal.LogBlock.LOG_BLOCK_PAYLOAD_BYTES;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Reads log records in order from an LSN, through a {@link VolumeReader} — the one reader that crash recovery,
 * takeover and the standby's tailer share.
 *
 * <h2>Design</h2>
 * The reader keeps one position, {@link #nextLsn()}, always a record boundary. Each {@link #poll} reads the block
 * holding it (then, while blocks are full, up to {@link #READ_AHEAD_BLOCKS} more at once), validates every block
 * ({@link LogBlock#decode}: checksum, magic, block number = address, used bytes, version), assembles records that
 * span blocks, checks each record's CRC, and returns the records that are complete. Nothing is cached between polls
 * except the position, so a block that grew since the last poll is simply read again.
 *
 * <h2>"Not yet", never "end of log"</h2>
 * A missing block, a block shorter than the position, a partly filled block, or a record not yet complete all mean
 * the same thing: return what is complete and leave the position there; the next poll continues. The reader never
 * decides the log has ended — {@link LogEnd} does that, at quorum, when a node takes over.
 *
 * <h2>Epochs</h2>
 * A log block is valid only for the bytes its epoch owns. With the epoch history (META block 1; the supplier is
 * asked once per poll, so a tailer sees a takeover as soon as it reloads the history), the bytes of a block at epoch
 * {@code e} at or above the start of any newer epoch are void — a stale tail the old active wrote but never made
 * durable. Independently of the history, block epochs never decrease along the log: a block whose epoch is below
 * one already read is stale and read as "not yet" until the new epoch rewrites it.
 *
 * <p>Operating errors: {@link CorruptLogException} (bytes that fail validation; the position stays before them),
 * {@link LogReadFailedException} (storage did not answer; retry). Not thread-safe: one reader per consumer thread;
 * several readers may share a volume.
 */
public final class LogReader {

    /**
     * Blocks read at once while catching up: 16 × 8 KiB keeps a replay or recovery scan busy at DAX read latency
     * (~128 KiB per round trip) without flooding storage; a reader at the tail reads one block per poll.
     */
    public static final int READ_AHEAD_BLOCKS = 16;

    /**
     * How long one block read may take before the poll fails with {@link LogReadFailedException}: far above a
     * healthy quorum read, short enough that a tailer notices a storage problem and reports it.
     */
    public static final Duration BLOCK_READ_TIMEOUT = Duration.ofSeconds(10);

    private final VolumeReader volume;
    private final LogRecordCodec codec;
    private final ReadConsistency consistency;
    private final Supplier<EpochHistory> epochHistory;
    private long nextLsn;
    private long epochFloor;

    /**
     * A reader positioned at {@code startLsn}, which must be a record boundary (a checkpoint's redo start, the LSN
     * of a checkpoint record, a replayed MTR's end).
     */
    public LogReader(VolumeReader volume, LogRecordCodec codec, ReadConsistency consistency,
                     Supplier<EpochHistory> epochHistory, long startLsn) {
        this.volume = Objects.requireNonNull(volume, "volume");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.consistency = Objects.requireNonNull(consistency, "consistency");
        this.epochHistory = Objects.requireNonNull(epochHistory, "epochHistory");
        if (startLsn < 0) {
            throw new IllegalArgumentException("startLsn must be >= 0, was " + startLsn);
        }
        this.nextLsn = startLsn;
    }

    /** The LSN of the next record this reader returns: the end of the last record returned. */
    public long nextLsn() {
        return nextLsn;
    }

    /**
     * Returns up to {@code maxRecords} complete records from {@link #nextLsn()} on, in log order, and advances past
     * them. An empty list means "not yet": nothing complete is readable at this position now.
     */
    public List<LoggedRecord> poll(int maxRecords) {
        Scan scan = scan(nextLsn, maxRecords, epochFloor);
        if (!scan.records.isEmpty()) {
            nextLsn = scan.records.getLast().endLsn();
            epochFloor = scan.epochs[scan.records.size() - 1];
        }
        return scan.records;
    }

    /**
     * Like {@link #poll} but returns whole mini-transactions only: the records of an MTR whose end is not yet
     * readable are left for a later poll. Returns at least one whole MTR if one is readable, even if it has more
     * than {@code maxRecords} records, so a large MTR cannot stall a replayer.
     */
    public List<LoggedRecord> pollMtrs(int maxRecords) {
        int limit = Math.max(1, maxRecords);
        while (true) {
            Scan scan = scan(nextLsn, limit, epochFloor);
            int cut = scan.records.size();
            while (cut > 0 && !scan.records.get(cut - 1).mtrEnd()) {
                cut--;
            }
            if (cut > 0) {
                List<LoggedRecord> out = List.copyOf(scan.records.subList(0, cut));
                nextLsn = out.getLast().endLsn();
                epochFloor = scan.epochs[cut - 1];
                return out;
            }
            if (scan.records.size() < limit) {
                return List.of();
            }
            limit = limit >= Integer.MAX_VALUE / 2 ? Integer.MAX_VALUE : limit * 2;
        }
    }

    /**
     * The record that starts at {@code lsn} (random access, e.g. to follow a transaction's prevLSN chain for undo).
     * Empty if it is not (yet) completely readable. Does not move this reader's position.
     */
    public Optional<LoggedRecord> readAt(long lsn) {
        Scan scan = scan(lsn, 1, 0);
        return scan.records.isEmpty() ? Optional.empty() : Optional.of(scan.records.getFirst());
    }

    // ------------------------------------------------------------------------------------------------------ scanning

    /** Records read by one scan, with the highest block epoch seen up to each record's end. */
    private record Scan(List<LoggedRecord> records, long[] epochs) {
    }

    /** What the scan knows about a block it read: to check where records start in it. */
    private static final class BlockInfo {
        final long blockNo;
        final int firstRecordOffset;
        final boolean enteredAtZero;
        boolean sawStart;

        BlockInfo(long blockNo, int firstRecordOffset, boolean enteredAtZero) {
            this.blockNo = blockNo;
            this.firstRecordOffset = firstRecordOffset;
            this.enteredAtZero = enteredAtZero;
        }
    }

    /**
     * Scans from {@code fromLsn}. Records that are complete and valid before a corruption are returned first; the
     * corruption is thrown by the scan that starts at it, so a replayer applies everything valid up to the bad bytes.
     */
    private Scan scan(long fromLsn, int maxRecords, long epochFloorAtStart) {
        List<LoggedRecord> records = new ArrayList<>();
        long[][] epochs = {new long[16]};
        try {
            scanInto(fromLsn, maxRecords, epochFloorAtStart, records, epochs);
        } catch (CorruptLogException e) {
            if (records.isEmpty()) {
                throw e;
            }
        }
        return new Scan(records, epochs[0]);
    }

    private void scanInto(long fromLsn, int maxRecords, long epochFloorAtStart, List<LoggedRecord> records,
                          long[][] epochsOut) {
        if (maxRecords <= 0) {
            throw new IllegalArgumentException("maxRecords must be > 0, was " + maxRecords);
        }
        EpochHistory history = Objects.requireNonNull(epochHistory.get(), "epoch history");
        List<BlockInfo> infos = new ArrayList<>();
        byte[] buf = new byte[2 * LOG_BLOCK_PAYLOAD_BYTES];
        int pos = 0;
        int limit = 0;
        long bufLsn = fromLsn;
        long maxEpoch = epochFloorAtStart;
        long blockNo = LogBlock.blockOf(fromLsn);
        int batch = 1;
        outer:
        while (records.size() < maxRecords) {
            List<CompletableFuture<Optional<Block>>> reads = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                reads.add(volume.read(BlockAddress.log(volume.volume(), blockNo + i), consistency, Version.ZERO));
            }
            for (int i = 0; i < batch; i++, blockNo++) {
                Optional<Block> stored = await(reads.get(i), blockNo);
                if (stored.isEmpty()) {
                    break outer;
                }
                LogBlock block = LogBlock.decode(stored.get(), blockNo);
                if (block.epoch() < maxEpoch) {
                    break outer; // a stale block of an older epoch: not rewritten by the newer one yet
                }
                long blockStart = block.startLsn();
                int valid = (int) Math.min(block.usedBytes(), Math.max(0, history.voidFrom(block.epoch()) - blockStart));
                int from = blockNo == LogBlock.blockOf(fromLsn) ? LogBlock.offsetOf(fromLsn) : 0;
                if (valid <= from) {
                    break outer;
                }
                maxEpoch = Math.max(maxEpoch, block.epoch());
                infos.add(new BlockInfo(blockNo, block.firstRecordOffset(), from == 0));
                int chunk = valid - from;
                if (pos > 0) {
                    System.arraycopy(buf, pos, buf, 0, limit - pos);
                    limit -= pos;
                    pos = 0;
                }
                if (limit + chunk > buf.length) {
                    buf = Arrays.copyOf(buf, Math.max(buf.length * 2, limit + chunk));
                }
                System.arraycopy(block.payload(), from, buf, limit, chunk);
                limit += chunk;
                while (limit - pos >= Integer.BYTES) {
                    ByteBuffer view = ByteBuffer.wrap(buf, pos, limit - pos);
                    int length = LogRecordCodec.peekLength(view, bufLsn);
                    checkRecordStart(bufLsn, infos);
                    if (limit - pos < length) {
                        break;
                    }
                    LogRecordCodec.Decoded d = codec.decode(view, bufLsn);
                    records.add(new LoggedRecord(bufLsn, bufLsn + length, d.record(), d.mtrEnd()));
                    if (records.size() > epochsOut[0].length) {
                        epochsOut[0] = Arrays.copyOf(epochsOut[0], epochsOut[0].length * 2);
                    }
                    epochsOut[0][records.size() - 1] = maxEpoch;
                    pos += length;
                    bufLsn += length;
                    if (records.size() >= maxRecords) {
                        break outer;
                    }
                }
                if (valid < LOG_BLOCK_PAYLOAD_BYTES) {
                    break outer; // bytes beyond a partly filled block are not contiguous with it yet
                }
            }
            batch = READ_AHEAD_BLOCKS;
        }
    }

    /**
     * Cross-checks a record start against its block's header: the first record starting in a block we entered at
     * offset 0 must sit exactly at the header's first-record offset, and no record starts before it.
     */
    private static void checkRecordStart(long lsn, List<BlockInfo> infos) {
        long blockNo = LogBlock.blockOf(lsn);
        int offset = LogBlock.offsetOf(lsn);
        BlockInfo info = null;
        for (int i = infos.size() - 1; i >= 0; i--) {
            if (infos.get(i).blockNo == blockNo) {
                info = infos.get(i);
                break;
            }
        }
        if (info == null || info.sawStart) {
            return;
        }
        info.sawStart = true;
        if (info.firstRecordOffset == LogBlock.NO_RECORD_START
                || (info.enteredAtZero ? offset != info.firstRecordOffset : offset < info.firstRecordOffset)) {
            throw new CorruptLogException(lsn, "a record starts at offset " + offset + " of log block " + blockNo
                    + " but the block header's first-record offset is "
                    + (info.firstRecordOffset == LogBlock.NO_RECORD_START ? "none" : info.firstRecordOffset));
        }
    }

    private static Optional<Block> await(CompletableFuture<Optional<Block>> read, long blockNo) {
        try {
            return read.get(BLOCK_READ_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LogReadFailedException(blockNo, e);
        } catch (ExecutionException e) {
            throw new LogReadFailedException(blockNo, e.getCause());
        } catch (TimeoutException e) {
            read.cancel(false);
            throw new LogReadFailedException(blockNo, e);
        }
    }
}
