package io.cacdb.archive.log;

import io.cacdb.archive.ArchiveKeys;
import io.cacdb.archive.StorageWait;
import io.cacdb.archive.s3.ArchiveException;
import io.cacdb.archive.s3.S3Store;
import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.wal.CheckpointPointer;
import io.cacdb.engine.wal.LogBlock;
import io.cacdb.engine.wal.MetaRecords;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous archiving of one volume's log to S3, run by the active ({@code docs/archive.md}).
 *
 * <h2>Design</h2>
 * One thread. It reads the durable LSN from the log writer; when {@link ArchiverConfig#segmentTargetBytes} of durable
 * log wait, or {@link ArchiverConfig#uploadInterval} passed with any waiting, it reads the log blocks of
 * {@code [archivedLsn, min(durable, archivedLsn + segmentMax))} from DAX at quorum, validates each
 * ({@link LogBlock#decode}), uploads them as one {@link LogSegment} (multipart when large) whose key carries its LSN
 * range and SHA-256, then rewrites the {@link LogArchiveManifest}. Only then does {@link #archivedLsn()} move, and
 * with it {@link #retentionFloorLsn()}, which the node folds into the engine's log retention floor: no log block
 * leaves DAX before it is in S3.
 *
 * <h2>Failures</h2>
 * A failed upload (S3 down, slow-down, refused) counts in {@code cacdb_archive_upload_failures_total} and is retried
 * after an exponential backoff ({@link ArchiverConfig#backoffMin} doubling to {@link ArchiverConfig#backoffMax});
 * commits never wait for the archive: the log simply stays in DAX, until the engine's log budget is reached and its
 * existing backpressure applies. A segment uploaded whose manifest write failed is uploaded again (a later, equal or
 * longer segment; restore picks the longest chain), so the archive never records a range it does not hold.
 *
 * <h2>Takeover</h2>
 * {@link #load} reads the manifest: a new active continues from its {@code archivedLsn}. Before {@code load} the floor
 * is 0 (hold everything). An archiver that finds a manifest written by a higher epoch stops: a newer active owns it.
 */
public final class LogArchiver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogArchiver.class);

    /** Log block reads in flight while building a segment: 64 × 8 KiB keeps a quorum read pipeline busy. */
    static final int BLOCK_READS_IN_FLIGHT = 64;
    /** One block read: far above a healthy quorum read. */
    static final Duration BLOCK_READ_TIMEOUT = Duration.ofSeconds(10);
    /** How often the thread looks at the durable LSN when idle. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    private final S3Store store;
    private final VolumeReader volume;
    private final ArchiverConfig config;
    private final MeterRegistry registry;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Counter uploadFailures;
    private final Counter archivedBytes;
    private final Timer segmentUpload;
    private final List<io.micrometer.core.instrument.Meter> meters = new ArrayList<>();
    private volatile long archivedLsn = -1;
    private volatile long startLsn = -1;
    private volatile LongSupplier durableLsn;
    private volatile long epoch;
    private volatile boolean closed;
    private volatile Optional<String> lastError = Optional.empty();
    private Thread thread;

    public LogArchiver(S3Store store, VolumeReader volume, ArchiverConfig config, MeterRegistry registry) {
        this.store = Objects.requireNonNull(store, "store");
        this.volume = Objects.requireNonNull(volume, "volume");
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.uploadFailures = Counter.builder("cacdb.archive.upload.failures")
                .description("log segment or manifest uploads that failed (retried after a backoff)")
                .register(registry);
        this.archivedBytes = Counter.builder("cacdb.archive.archived.bytes")
                .description("log bytes uploaded to the archive").baseUnit("bytes").register(registry);
        this.segmentUpload = Timer.builder("cacdb.archive.segment.upload")
                .description("time to read and upload one log segment and its manifest").register(registry);
        meters.add(uploadFailures);
        meters.add(archivedBytes);
        meters.add(segmentUpload);
        meters.add(Gauge.builder("cacdb.archive.archived.lsn", this, a -> a.archivedLsn)
                .description("the log is in S3 below this LSN").register(registry));
        meters.add(Gauge.builder("cacdb.archive.lag.bytes", this, LogArchiver::lagBytes)
                .description("durable log not yet in S3").baseUnit("bytes").register(registry));
    }

    /**
     * Reads the manifest (or, for a volume never archived, starts at the redo start of its latest checkpoint: the
     * oldest log DAX still holds). Blocks; fails with {@link ArchiveException} if S3 cannot be read (the caller may
     * go on: {@link #start} retries).
     */
    public void load() {
        Optional<LogArchiveManifest> m = LogArchiveManifest.read(store, volume.volume());
        if (m.isPresent()) {
            startLsn = m.get().startLsn();
            archivedLsn = m.get().archivedLsn();
            log.info("archive of volume {}: continuing from LSN {} (archived from {} by epoch {})", volume.volume(),
                    archivedLsn, startLsn, m.get().writerEpoch());
        } else {
            long redoStart = checkpoint().map(CheckpointPointer::redoStartLsn).orElse(0L);
            startLsn = redoStart;
            archivedLsn = redoStart;
            log.info("archive of volume {}: new archive at {}, starting from LSN {}", volume.volume(),
                    store.config().url(ArchiveKeys.logPrefix(volume.volume())), redoStart);
        }
    }

    /**
     * The log retention floor this archive needs: nothing at or above {@link #archivedLsn()} may be truncated. 0
     * before {@link #load} (hold everything).
     */
    public long retentionFloorLsn() {
        return Math.max(0, archivedLsn);
    }

    /** The log is in S3 below this LSN; -1 before {@link #load}. */
    public long archivedLsn() {
        return archivedLsn;
    }

    /** The last upload failure, if the latest attempt failed. */
    public Optional<String> lastError() {
        return lastError;
    }

    private double lagBytes() {
        LongSupplier d = durableLsn;
        return d == null || archivedLsn < 0 ? 0 : Math.max(0, d.getAsLong() - archivedLsn);
    }

    /**
     * Starts archiving the durable log of a writer at {@code writerEpoch}. If {@link #load} has not succeeded yet (S3
     * was unreachable when the node started), the thread loads the manifest first, retrying with the backoff; the
     * floor holds all log meanwhile.
     */
    public void start(long writerEpoch, LongSupplier durable) {
        this.epoch = writerEpoch;
        this.durableLsn = Objects.requireNonNull(durable, "durable");
        thread = Thread.ofPlatform().daemon().name("log-archiver-v" + volume.volume()).start(this::run);
    }

    /** Wakes the thread now (after a burst of commits, in tests). */
    public void nudge() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        long lastUpload = System.nanoTime();
        Duration backoff = config.backoffMin();
        while (!closed && archivedLsn < 0) {
            try {
                load();
            } catch (RuntimeException e) {
                uploadFailures.increment();
                lastError = Optional.of(e.getMessage());
                log.warn("archive of volume {}: reading the manifest failed, retrying in {} ms: {}", volume.volume(),
                        backoff.toMillis(), e.getMessage());
                pause(backoff);
                backoff = next(backoff);
            }
        }
        while (!closed) {
            long durable = durableLsn.getAsLong();
            long waiting = durable - archivedLsn;
            boolean due = waiting >= config.segmentTargetBytes()
                    || (waiting > 0 && System.nanoTime() - lastUpload >= config.uploadInterval().toNanos());
            if (!due) {
                pause(POLL_INTERVAL);
                continue;
            }
            long end = Math.min(durable, archivedLsn + config.segmentMaxBytes());
            try {
                if (!uploadSegment(archivedLsn, end)) {
                    return;
                }
                lastUpload = System.nanoTime();
                backoff = config.backoffMin();
                lastError = Optional.empty();
            } catch (RuntimeException e) {
                uploadFailures.increment();
                lastError = Optional.of(e.getMessage());
                log.warn("archive of volume {}: uploading LSN [{}, {}) failed, retrying in {} ms: {}",
                        volume.volume(), archivedLsn, end, backoff.toMillis(), e.getMessage());
                pause(backoff);
                backoff = next(backoff);
            }
        }
    }

    private Duration next(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(config.backoffMax()) > 0 ? config.backoffMax() : doubled;
    }

    /** Uploads {@code [from, to)} and the manifest; false if a newer active owns the archive. */
    private boolean uploadSegment(long from, long to) {
        long started = System.nanoTime();
        // S3 first: while it is down, a retry costs one request, not a re-read of the segment from DAX
        Optional<LogArchiveManifest> current = LogArchiveManifest.read(store, volume.volume());
        if (current.isPresent() && current.get().writerEpoch() > epoch) {
            log.warn("archive of volume {}: the manifest was written at epoch {}, above this node's {}: a newer"
                    + " active archives now; stopping", volume.volume(), current.get().writerEpoch(), epoch);
            return false;
        }
        LogSegment segment = readSegment(from, to);
        byte[] bytes = segment.encode();
        String sha = S3Store.sha256(bytes);
        store.put(ArchiveKeys.segment(volume.volume(), from, to, sha), bytes);
        long nowMicros = registry.config().clock().wallTime() * 1000;
        new LogArchiveManifest(volume.volume(), epoch, startLsn, to, nowMicros).write(store);
        archivedLsn = to;
        archivedBytes.increment(to - from);
        segmentUpload.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return true;
    }

    private LogSegment readSegment(long from, long to) {
        long first = LogBlock.blockOf(from);
        long last = LogBlock.blockOf(to - 1);
        byte[] stream = new byte[Math.toIntExact(to - from)];
        int[] firsts = new int[Math.toIntExact(last - first + 1)];
        for (long b = first; b <= last; b += BLOCK_READS_IN_FLIGHT) {
            List<CompletableFuture<Optional<Block>>> reads = new ArrayList<>();
            long batchEnd = Math.min(last, b + BLOCK_READS_IN_FLIGHT - 1);
            for (long x = b; x <= batchEnd; x++) {
                reads.add(volume.read(BlockAddress.log(volume.volume(), x), ReadConsistency.QUORUM, Version.ZERO));
            }
            for (long x = b; x <= batchEnd; x++) {
                long blockNo = x;
                Block raw = StorageWait.await(reads.get((int) (x - b)), BLOCK_READ_TIMEOUT, "reading log block " + x
                        + " of volume " + volume.volume()).orElseThrow(() ->
                        new ArchiveException("log block " + blockNo + " of volume " + volume.volume()
                                + " is not in DAX although LSN " + to + " is durable; was the log truncated below"
                                + " the archive point?"));
                LogBlock lb = LogBlock.decode(raw, x);
                long copyFrom = Math.max(from, lb.startLsn());
                long copyTo = Math.min(to, lb.startLsn() + LogBlock.LOG_BLOCK_PAYLOAD_BYTES);
                if (lb.endLsn() < copyTo) {
                    throw new ArchiveException("log block " + x + " of volume " + volume.volume() + " holds LSNs up"
                            + " to " + lb.endLsn() + ", less than the durable " + copyTo);
                }
                System.arraycopy(lb.payload(), (int) (copyFrom - lb.startLsn()), stream, (int) (copyFrom - from),
                        (int) (copyTo - copyFrom));
                firsts[(int) (x - first)] = lb.firstRecordOffset();
            }
        }
        return new LogSegment(volume.volume(), from, to, firsts, stream);
    }

    private Optional<CheckpointPointer> checkpoint() {
        return StorageWait.await(MetaRecords.readCheckpoint(volume), BLOCK_READ_TIMEOUT,
                "reading the checkpoint pointer of volume " + volume.volume())
                .map(MetaRecords.Stored::value);
    }

    private void pause(Duration d) {
        lock.lock();
        try {
            if (!closed) {
                wake.await(d.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the thread (an upload in progress finishes or fails first) and removes the meters. */
    @Override
    public void close() {
        closed = true;
        nudge();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(config.backoffMax().plus(Duration.ofSeconds(70)).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        meters.forEach(registry::remove);
    }
}
