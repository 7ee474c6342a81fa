package io.cacdb.archive.backup;

import io.cacdb.archive.ArchiveKeys;
import io.cacdb.archive.StorageWait;
import io.cacdb.archive.log.LogArchiveManifest;
import io.cacdb.archive.s3.ArchiveException;
import io.cacdb.archive.s3.S3Store;
import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.client.BelowTruncationException;
import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.volume.DaxVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.wal.CheckpointPointer;
import io.cacdb.engine.wal.LogBlock;
import io.cacdb.engine.wal.LogEnd;
import io.cacdb.engine.wal.LogRecordCodec;
import io.cacdb.engine.wal.MetaRecords;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An online, fuzzy backup of one volume from DAX to S3, taken while the database runs ({@code docs/archive.md}):
 * <ol>
 *   <li>read the checkpoint pointer (META 0): its redo start is the backup's <b>start LSN</b> — every change below it
 *       is in the pages DAX holds, and nothing below it is needed to redo;</li>
 *   <li>list every page of the volume (SCAN of each DAX server, united: a page written at quorum is on some server
 *       that answers), read each at quorum and upload them in chunks of {@link #PAGES_PER_CHUNK};</li>
 *   <li>find the durable end of the log ({@link LogEnd#find}): the <b>end LSN</b>; every page copied is no newer;</li>
 *   <li>wait (bounded) until the log archive reaches the end LSN, then write the manifest — the backup exists from
 *       then on. A backup whose archive never got there fails with the manifest unwritten.</li>
 * </ol>
 * Pages change while they are copied; restoring redoes the log from the start LSN, and the pageLSN test skips what a
 * copied page already holds — as crash recovery does with the pages a crash left.
 */
public final class Backup {

    private static final Logger log = LoggerFactory.getLogger(Backup.class);

    /** 1,024 pages = 8 MiB a chunk: few objects for a large database, and a chunk restores in one GET. */
    public static final int PAGES_PER_CHUNK = 1024;
    /** Page reads in flight: 64 × 8 KiB at quorum keeps DAX busy without crowding out the database's own reads. */
    static final int PAGE_READS_IN_FLIGHT = 64;
    /** One DAX step (a page read, a scan, META): far above healthy. */
    static final Duration STORAGE_STEP_TIMEOUT = Duration.ofSeconds(30);
    /** How often the backup looks at the archive manifest while it waits for the end LSN to be archived. */
    static final Duration ARCHIVE_POLL_INTERVAL = Duration.ofMillis(200);

    private Backup() {
    }

    /**
     * Takes a backup of {@code volume}; returns its manifest. {@code archiveWait} bounds the wait for the archive
     * to reach the end LSN.
     */
    public static BackupManifest create(DaxClient client, long volume, S3Store store, Clock clock,
                                        Duration archiveWait) {
        long created = clock.millis();
        String id = ArchiveKeys.backupId(volume, created);
        VolumeReader reader = DaxVolume.reader(client, volume);
        CheckpointPointer start = checkpoint(reader).orElseThrow(() -> new ArchiveException("volume " + volume
                + " has no checkpoint pointer in META block 0: it was never opened by a node, nothing to back up"));
        log.info("backup {} of volume {}: start LSN {} (checkpoint at {})", id, volume, start.redoStartLsn(),
                start.checkpointLsn());

        long logStart = oldestLogLsn(reader, start.redoStartLsn());
        long archiveStart = LogArchiveManifest.read(store, volume).map(LogArchiveManifest::startLsn).orElse(logStart);
        if (archiveStart > logStart) {
            // archiving began after this log was written: the archive cannot give it (see docs/archive.md, limits)
            logStart = Math.min(archiveStart, start.redoStartLsn());
        }
        TreeSet<Long> pageNos = listPages(client, volume);
        List<BackupManifest.Chunk> chunks = new ArrayList<>();
        List<Long> all = new ArrayList<>(pageNos);
        for (int c = 0; c * PAGES_PER_CHUNK < all.size(); c++) {
            List<Long> slice = all.subList(c * PAGES_PER_CHUNK, Math.min(all.size(), (c + 1) * PAGES_PER_CHUNK));
            List<Block> pages = readPages(reader, slice);
            byte[] bytes = PageChunk.encode(pages);
            store.put(ArchiveKeys.backupChunk(id, c), bytes);
            chunks.add(new BackupManifest.Chunk(c, pages.size(), bytes.length, S3Store.sha256(bytes)));
        }

        // The end: found from the current checkpoint (the log below the first one may be truncated by now).
        CheckpointPointer now = checkpoint(reader).orElse(start);
        LogRecordCodec codec = new LogRecordCodec(PageOps::decode);
        long end = LogEnd.find(reader, codec, await(MetaRecords.epochHistory(reader), "reading the epoch history"),
                now.redoStartLsn()).endLsn();
        BackupManifest manifest = new BackupManifest(id, volume, created, logStart, start.checkpointLsn(),
                start.redoStartLsn(), Math.max(end, start.checkpointLsn()), all.size(), chunks);
        long deadline = System.nanoTime() + archiveWait.toNanos();
        boolean covered = waitUntil(() -> LogArchiveManifest.read(store, volume)
                .filter(m -> m.startLsn() <= manifest.logStartLsn() && m.archivedLsn() >= manifest.endLsn())
                .isPresent(), deadline);
        if (!covered) {
            long archived = LogArchiveManifest.read(store, volume).map(LogArchiveManifest::archivedLsn).orElse(-1L);
            throw new ArchiveException("backup " + id + " copied " + all.size() + " pages, but the log archive of"
                    + " volume " + volume + " did not reach the backup's end LSN " + end + " within " + archiveWait
                    + " (archived up to " + (archived < 0 ? "nothing: no archive manifest" : archived)
                    + "); is the active node archiving (archive-s3-bucket in its config)? The backup is not"
                    + " recorded");
        }
        store.put(ArchiveKeys.backupManifest(id), manifest.encode());
        log.info("backup {} of volume {}: {} pages in {} chunks, LSN [{}, {}]", id, volume, all.size(),
                chunks.size(), manifest.startLsn(), manifest.endLsn());
        return manifest;
    }

    /**
     * The start of the oldest log block DAX holds at or below {@code redoStart}'s block: truncation deletes whole
     * blocks below a point, so present blocks are contiguous and a binary search with quorum reads finds it.
     */
    static long oldestLogLsn(VolumeReader reader, long redoStart) {
        long hi = LogBlock.blockOf(redoStart);
        if (!logBlockPresent(reader, hi)) {
            return redoStart; // the redo start's block not written yet (a new volume): nothing older exists
        }
        long lo = -1; // absent (or before block 0)
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (logBlockPresent(reader, mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return LogBlock.startLsn(hi);
    }

    private static boolean logBlockPresent(VolumeReader reader, long blockNo) {
        try {
            return await(reader.read(BlockAddress.log(reader.volume(), blockNo), ReadConsistency.QUORUM,
                    Version.ZERO), "reading log block " + blockNo).isPresent();
        } catch (ArchiveException e) {
            if (e.getCause() instanceof BelowTruncationException) {
                return false;
            }
            throw e;
        }
    }

    /** Every page number any server holds for {@code volume}. Fails only if no server answers. */
    static TreeSet<Long> listPages(DaxClient client, long volume) {
        TreeSet<Long> pageNos = new TreeSet<>();
        List<String> failed = new ArrayList<>();
        List<ServerInfo> servers = client.clusterMap().servers();
        List<CompletableFuture<List<BlockSummary>>> scans = new ArrayList<>();
        for (ServerInfo s : servers) {
            scans.add(client.scanReplica(s, volume, Space.PAGE));
        }
        for (int i = 0; i < servers.size(); i++) {
            try {
                await(scans.get(i), "scanning the pages of server " + servers.get(i).id())
                        .forEach(b -> pageNos.add(b.blockNo()));
            } catch (ArchiveException e) {
                failed.add(servers.get(i).id() + " (" + e.getMessage() + ")");
            }
        }
        int tolerated = client.clusterMap().quorum().writeQuorum() - 1;
        if (failed.size() > tolerated) {
            throw new ArchiveException("listing the pages of volume " + volume + " needs all but " + tolerated
                    + " DAX servers; these did not answer: " + failed);
        }
        if (!failed.isEmpty()) {
            log.warn("backup of volume {}: servers {} did not answer the page scan; pages are on the others",
                    volume, failed);
        }
        return pageNos;
    }

    private static List<Block> readPages(VolumeReader reader, List<Long> pageNos) {
        List<Block> out = new ArrayList<>(pageNos.size());
        for (int i = 0; i < pageNos.size(); i += PAGE_READS_IN_FLIGHT) {
            List<CompletableFuture<Optional<Block>>> reads = new ArrayList<>();
            for (long p : pageNos.subList(i, Math.min(pageNos.size(), i + PAGE_READS_IN_FLIGHT))) {
                reads.add(reader.read(BlockAddress.page(reader.volume(), p), ReadConsistency.QUORUM, Version.ZERO));
            }
            for (CompletableFuture<Optional<Block>> r : reads) {
                await(r, "reading a page").ifPresent(out::add);
            }
        }
        return out;
    }

    static Optional<CheckpointPointer> checkpoint(VolumeReader reader) {
        return await(MetaRecords.readCheckpoint(reader), "reading the checkpoint pointer")
                .map(MetaRecords.Stored::value);
    }

    static boolean waitUntil(BooleanSupplier condition, long deadlineNanos) {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadlineNanos) {
                return false;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(ARCHIVE_POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ArchiveException("interrupted while waiting for the log archive", e);
            }
        }
        return true;
    }

    private static <T> T await(CompletableFuture<T> f, String what) {
        return StorageWait.await(f, STORAGE_STEP_TIMEOUT, what);
    }
}
