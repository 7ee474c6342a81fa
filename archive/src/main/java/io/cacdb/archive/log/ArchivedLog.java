package io.cacdb.archive.log;

import io.cacdb.archive.ArchiveKeys;
import io.cacdb.archive.s3.ArchiveException;
import io.cacdb.archive.s3.ObjectCorruptException;
import io.cacdb.archive.s3.ObjectMissingException;
import io.cacdb.archive.s3.S3Store;
import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.wal.LogBlock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The archived log of a volume from {@code fromLsn} on, served as the LOG space of a read-only volume, so the
 * engine's own {@code LogReader} parses it (restore finds its cut with it) and its blocks can be written as they are
 * into a new volume. Block {@code b} is rebuilt from the segments of the chain: the stream bytes they hold for it, the
 * first-record offset the newest one recorded, at {@link #RESTORED_LOG_EPOCH}; bytes of the first block below
 * {@code fromLsn} are zeros (no reader starts below {@code fromLsn}, a record boundary).
 *
 * <p>The chain is chosen on {@link #open}: from {@code fromLsn}, repeatedly the segment that holds the current LSN
 * and reaches furthest. A position no segment holds is a gap: {@link ArchiveException} naming it. Each segment is
 * checked against the SHA-256 in its key when fetched ({@link ObjectCorruptException}, {@link ObjectMissingException}).
 * Not thread-safe beyond what {@code LogReader} needs (one consumer); keeps {@link #CACHED_SEGMENTS} segments.
 */
public final class ArchivedLog implements VolumeReader {

    /** The epoch every restored log block carries: a restored volume starts its own epoch history above it. */
    public static final long RESTORED_LOG_EPOCH = 1;
    /** Segments kept in memory: a reader walks forward, so two suffice; four absorb a block spanning segments. */
    static final int CACHED_SEGMENTS = 4;

    private final S3Store store;
    private final long sourceVolume;
    private final long servedVolume;
    private final long fromLsn;
    private final List<ArchiveKeys.SegmentName> chain;
    private final long endLsn;
    private final Map<String, LogSegment> cache = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LogSegment> eldest) {
            return size() > CACHED_SEGMENTS;
        }
    };

    private ArchivedLog(S3Store store, long sourceVolume, long servedVolume, long fromLsn,
                        List<ArchiveKeys.SegmentName> chain) {
        this.store = store;
        this.sourceVolume = sourceVolume;
        this.servedVolume = servedVolume;
        this.fromLsn = fromLsn;
        this.chain = List.copyOf(chain);
        this.endLsn = chain.isEmpty() ? fromLsn : chain.getLast().endLsn();
    }

    /**
     * The archived log of {@code sourceVolume} covering at least {@code [fromLsn, toLsn)}, served as volume
     * {@code servedVolume}. Fails naming the gap if the archive does not hold all of it.
     */
    public static ArchivedLog open(S3Store store, long sourceVolume, long servedVolume, long fromLsn, long toLsn) {
        List<ArchiveKeys.SegmentName> all = segments(store, sourceVolume);
        List<ArchiveKeys.SegmentName> chain = new ArrayList<>();
        long pos = fromLsn;
        while (pos < toLsn) {
            long at = pos;
            Optional<ArchiveKeys.SegmentName> best = all.stream()
                    .filter(s -> s.startLsn() <= at && at < s.endLsn())
                    .max(Comparator.comparingLong(ArchiveKeys.SegmentName::endLsn));
            if (best.isEmpty()) {
                Optional<ArchiveKeys.SegmentName> next = all.stream().filter(s -> s.startLsn() > at)
                        .min(Comparator.comparingLong(ArchiveKeys.SegmentName::startLsn));
                throw new ArchiveException("the archived log of volume " + sourceVolume + " has a gap: no segment"
                        + " under " + store.config().url(ArchiveKeys.logPrefix(sourceVolume)) + " holds LSN " + at
                        + " (" + next.map(s -> "the next segment starts at LSN " + s.startLsn())
                        .orElse("no segment after it") + "); LSN [" + fromLsn + ", " + toLsn + ") is needed");
            }
            chain.add(best.get());
            pos = best.get().endLsn();
        }
        return new ArchivedLog(store, sourceVolume, servedVolume, fromLsn, chain);
    }

    /** Every segment of a volume's archive, in start-LSN order. */
    public static List<ArchiveKeys.SegmentName> segments(S3Store store, long volume) {
        List<ArchiveKeys.SegmentName> out = new ArrayList<>();
        for (S3Store.Listed l : store.list(ArchiveKeys.segmentPrefix(volume), Optional.empty())) {
            ArchiveKeys.parseSegment(l.key()).ifPresent(out::add);
        }
        out.sort(Comparator.comparingLong(ArchiveKeys.SegmentName::startLsn)
                .thenComparingLong(ArchiveKeys.SegmentName::endLsn));
        return out;
    }

    /** Fetches a segment and checks it against the SHA-256 in its key. */
    public static LogSegment fetch(S3Store store, ArchiveKeys.SegmentName name) {
        String url = store.config().url(name.key());
        String what = "archived log segment LSN [" + name.startLsn() + ", " + name.endLsn() + ")";
        byte[] bytes = store.get(name.key(), what);
        String sha = S3Store.sha256(bytes);
        if (!sha.equals(name.sha256())) {
            throw new ObjectCorruptException(url, what, "SHA-256 " + sha + ", its key says " + name.sha256());
        }
        LogSegment s = LogSegment.decode(bytes, url);
        if (s.startLsn() != name.startLsn() || s.endLsn() != name.endLsn()) {
            throw new ObjectCorruptException(url, what, "holds LSN [" + s.startLsn() + ", " + s.endLsn() + ")");
        }
        return s;
    }

    /** The chain's segments, in log order. */
    public List<ArchiveKeys.SegmentName> chain() {
        return chain;
    }

    /** The end of the chain: the log is served below this LSN. */
    public long endLsn() {
        return endLsn;
    }

    @Override
    public long volume() {
        return servedVolume;
    }

    @Override
    public CompletableFuture<Optional<Block>> read(BlockAddress address, ReadConsistency consistency,
                                                   Version atLeast) {
        if (address.volume() != servedVolume || address.space() != Space.LOG) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        try {
            return CompletableFuture.completedFuture(block(address.blockNo(), endLsn));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Log block {@code blockNo} as it is below {@code cutLsn} (and below {@link #endLsn()}), or empty if no byte of
     * it at or above {@code fromLsn} is archived below the cut.
     */
    public synchronized Optional<Block> block(long blockNo, long cutLsn) {
        long blockStart = LogBlock.startLsn(blockNo);
        long from = Math.max(blockStart, fromLsn);
        long to = Math.min(Math.min(cutLsn, endLsn), blockStart + LogBlock.LOG_BLOCK_PAYLOAD_BYTES);
        if (to <= from) {
            return Optional.empty();
        }
        byte[] payload = new byte[(int) (to - blockStart)];
        int first = LogBlock.NO_RECORD_START;
        long pos = from;
        for (ArchiveKeys.SegmentName name : chain) {
            if (name.endLsn() <= pos || name.startLsn() > pos) {
                continue;
            }
            LogSegment s = segment(name);
            long copyTo = Math.min(to, s.endLsn());
            System.arraycopy(s.stream(), (int) (pos - s.startLsn()), payload, (int) (pos - blockStart),
                    (int) (copyTo - pos));
            first = s.firstRecordOffset(blockNo);
            pos = copyTo;
            if (pos >= to) {
                break;
            }
        }
        if (pos < to) {
            throw new IllegalStateException("chain does not cover LSN " + pos + " of block " + blockNo);
        }
        if (blockNo == LogBlock.blockOf(fromLsn) && LogBlock.offsetOf(fromLsn) > 0
                && (first == LogBlock.NO_RECORD_START || first < LogBlock.offsetOf(fromLsn))) {
            first = LogBlock.offsetOf(fromLsn); // a record boundary; bytes below it are not restored
        }
        if (first != LogBlock.NO_RECORD_START && first >= payload.length) {
            first = LogBlock.NO_RECORD_START;
        }
        return Optional.of(new LogBlock(blockNo, RESTORED_LOG_EPOCH, payload.length, first, payload)
                .toBlock(servedVolume));
    }

    private LogSegment segment(ArchiveKeys.SegmentName name) {
        LogSegment s = cache.get(name.key());
        if (s == null) {
            s = fetch(store, name);
            cache.put(name.key(), s);
        }
        return s;
    }

    /** The volume whose archive this is. */
    public long sourceVolume() {
        return sourceVolume;
    }

    @Override
    public void close() {
        cache.clear();
    }
}
