package io.cacdb.archive.restore;

import io.cacdb.archive.ArchiveKeys;
import io.cacdb.archive.StorageWait;
import io.cacdb.archive.backup.BackupManifest;
import io.cacdb.archive.backup.PageChunk;
import io.cacdb.archive.log.ArchivedLog;
import io.cacdb.archive.log.LogArchiveManifest;
import io.cacdb.archive.s3.ArchiveException;
import io.cacdb.archive.s3.ObjectCorruptException;
import io.cacdb.archive.s3.S3Store;
import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.client.DaxClient;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.volume.DaxVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.volume.VolumeWriter;
import io.cacdb.engine.wal.CheckpointPointer;
import io.cacdb.engine.wal.EpochHistory;
import io.cacdb.engine.wal.LogBlock;
import io.cacdb.engine.wal.LogReader;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LogRecordCodec;
import io.cacdb.engine.wal.LoggedRecord;
import io.cacdb.engine.wal.MetaRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Point-in-time restore into a new volume ({@code docs/archive.md}, "Restore"):
 * <ol>
 *   <li>read the backup manifest and the log archive's manifest; check the target is inside
 *       {@code [backup end LSN, archived LSN]} (for a time: not after the archive's last update);</li>
 *   <li>find the <b>cut</b>: parse the archived log from the backup's start LSN with the engine's {@link LogReader}
 *       (over {@link ArchivedLog}); for an LSN, the last mini-transaction end at or before it; for a time, the end of
 *       the mini-transaction of the last commit at or before it;</li>
 *   <li>refuse if the new volume exists; create it, fence it to epoch 1, and mark it <b>RESTORING</b> (META 3);</li>
 *   <li>write the backup's pages, then the log blocks from the backup's log start LSN up to the cut (the last one cut short), then
 *       the backup's checkpoint pointer (META 0);</li>
 *   <li>mark it <b>COMPLETE</b> — the last write. {@code Engine.open} refuses a volume still marked RESTORING, so a
 *       restore that fails half-way leaves nothing that looks usable.</li>
 * </ol>
 * A node then opens the volume as after a crash: redo from the start LSN to the cut, undo of every transaction not
 * committed by then. So a transaction committed after the target is not there, and one committed before it is.
 */
public final class Restore {

    private static final Logger log = LoggerFactory.getLogger(Restore.class);

    /** Writes in flight to the new volume: enough to keep DAX's group commit full, bounded so memory is too. */
    static final int WRITES_IN_FLIGHT = 128;
    /** One DAX step: far above healthy. */
    static final Duration STORAGE_STEP_TIMEOUT = Duration.ofSeconds(30);
    /** Records per poll while searching the cut. */
    static final int RECORDS_PER_POLL = 4096;

    /** What a restore did. */
    public record Result(String backupId, long volume, long startLsn, long cutLsn, long pages, long logBlocks,
                         Duration took) {
    }

    private Restore() {
    }

    public static Result run(DaxClient client, S3Store store, String backupId, RestoreTarget target,
                             long newVolume) {
        long started = System.nanoTime();
        BackupManifest backup = BackupManifest.read(store, backupId);
        LogArchiveManifest archive = LogArchiveManifest.read(store, backup.volume()).orElseThrow(() ->
                new ArchiveException("the log archive of volume " + backup.volume() + " is missing: "
                        + store.config().url(ArchiveKeys.logManifest(backup.volume())) + " does not exist"));
        long cut = findCut(store, backup, archive, target, newVolume);
        log.info("restore of backup {} into volume {}: log from LSN {} cut at {}", backupId, newVolume,
                backup.startLsn(), cut);

        requireNew(client, newVolume);
        await(client.createVolume(newVolume), "creating volume " + newVolume);
        await(client.fence(newVolume, ArchivedLog.RESTORED_LOG_EPOCH), "fencing volume " + newVolume);
        VolumeWriter writer = DaxVolume.writer(client, newVolume, ArchivedLog.RESTORED_LOG_EPOCH);
        await(MetaRecords.writeRestoreState(writer, MetaRecords.RestoreState.RESTORING), "marking volume "
                + newVolume + " RESTORING");

        long pages = writePages(store, backup, writer);
        long blocks = 0;
        try (ArchivedLog archived = ArchivedLog.open(store, backup.volume(), newVolume, backup.logStartLsn(), cut)) {
            Window window = new Window();
            for (long b = LogBlock.blockOf(backup.logStartLsn()); LogBlock.startLsn(b) < cut; b++) {
                var block = archived.block(b, cut);
                if (block.isPresent()) {
                    window.add(writer.write(block.get()), "writing log block " + b + " of volume " + newVolume);
                    blocks++;
                }
            }
            window.drain();
        }
        await(MetaRecords.writeCheckpoint(writer, new CheckpointPointer(backup.checkpointLsn(), backup.startLsn())),
                "writing the checkpoint pointer of volume " + newVolume);
        await(MetaRecords.writeRestoreState(writer, MetaRecords.RestoreState.COMPLETE), "marking volume "
                + newVolume + " COMPLETE");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        log.info("restore of backup {} into volume {}: {} pages, {} log blocks up to LSN {} in {} ms", backupId,
                newVolume, pages, blocks, cut, took.toMillis());
        return new Result(backupId, newVolume, backup.startLsn(), cut, pages, blocks, took);
    }

    /** The LSN the restored log ends at; fails if the target is outside what the backup and archive can give. */
    static long findCut(S3Store store, BackupManifest backup, LogArchiveManifest archive, RestoreTarget target,
                        long newVolume) {
        long limit = switch (target) {
            case RestoreTarget.ToLsn l -> {
                if (l.lsn() < backup.endLsn()) {
                    throw new ArchiveException("target LSN " + l.lsn() + " is before the end LSN " + backup.endLsn()
                            + " of backup " + backup.id() + ": a fuzzy backup is consistent only from there on;"
                            + " pick an older backup or a later target");
                }
                if (l.lsn() > archive.archivedLsn()) {
                    throw new ArchiveException("target LSN " + l.lsn() + " is past the archived log of volume "
                            + backup.volume() + ", which ends at LSN " + archive.archivedLsn());
                }
                yield l.lsn();
            }
            case RestoreTarget.ToTime t -> {
                if (t.micros() > archive.archivedAtMicros()) {
                    throw new ArchiveException("target time " + instant(t.micros()) + " is after the archive of"
                            + " volume " + backup.volume() + " was last advanced ("
                            + instant(archive.archivedAtMicros())
                            + ", up to LSN " + archive.archivedLsn() + "); commits after that are not archived");
                }
                yield archive.archivedLsn();
            }
        };
        LogRecordCodec codec = new LogRecordCodec(PageOps::decode);
        try (ArchivedLog archived = ArchivedLog.open(store, backup.volume(), newVolume, backup.logStartLsn(),
                limit)) {
            LogReader reader = new LogReader(archived, codec, ReadConsistency.QUORUM, () -> EpochHistory.EMPTY,
                    backup.startLsn());
            long cut = backup.startLsn();
            long lastCommitMicros = -1;
            boolean commitInMtr = false;
            boolean done = false;
            while (!done) {
                List<LoggedRecord> records = reader.pollMtrs(RECORDS_PER_POLL);
                if (records.isEmpty()) {
                    break;
                }
                for (LoggedRecord r : records) {
                    if (r.endLsn() > limit) {
                        done = true;
                        break;
                    }
                    if (target instanceof RestoreTarget.ToTime t && r.record() instanceof LogRecord.Commit c) {
                        if (c.commitTimeMicros() > t.micros()) {
                            done = true;
                            break;
                        }
                        commitInMtr = true;
                        lastCommitMicros = c.commitTimeMicros();
                    }
                    if (r.mtrEnd()) {
                        if (target instanceof RestoreTarget.ToLsn || commitInMtr) {
                            cut = r.endLsn();
                        }
                        commitInMtr = false;
                    }
                }
            }
            if (cut < backup.endLsn()) {
                throw new ArchiveException("target " + describe(target) + " is before the end of backup "
                        + backup.id() + " (LSN " + backup.endLsn() + "; the last commit at or before the target is "
                        + (lastCommitMicros < 0 ? "not in the archived log after the backup's start"
                        : "at " + instant(lastCommitMicros) + ", LSN " + cut) + "): a fuzzy backup is consistent"
                        + " only from its end on; pick an older backup or a later target");
            }
            return cut;
        }
    }

    private static String describe(RestoreTarget t) {
        return switch (t) {
            case RestoreTarget.ToLsn l -> "LSN " + l.lsn();
            case RestoreTarget.ToTime tt -> "time " + instant(tt.micros());
        };
    }

    private static Instant instant(long micros) {
        return Instant.ofEpochSecond(0, micros * 1000);
    }

    /** A volume that has any META record (checkpoint, epoch history, lease, restore marker) exists. */
    static void requireNew(DaxClient client, long volume) {
        client.openVolume(volume); // a server that never heard of the volume creates it empty and answers
        VolumeReader reader = DaxVolume.reader(client, volume);
        for (long record = 0; record <= MetaRecords.RESTORE_RECORD_NO; record++) {
            if (await(reader.read(BlockAddress.meta(volume, record), ReadConsistency.QUORUM, Version.ZERO),
                    "reading META " + record + " of volume " + volume).isPresent()) {
                throw new ArchiveException("volume " + volume + " already exists (it has META record " + record
                        + "); restore only into a new volume");
            }
        }
    }

    private static long writePages(S3Store store, BackupManifest backup, VolumeWriter writer) {
        long pages = 0;
        Window window = new Window();
        for (BackupManifest.Chunk c : backup.chunks()) {
            String key = ArchiveKeys.backupChunk(backup.id(), c.index());
            String what = "chunk " + c.index() + " of backup " + backup.id();
            byte[] bytes = store.get(key, what);
            String sha = S3Store.sha256(bytes);
            if (!sha.equals(c.sha256())) {
                throw new ObjectCorruptException(store.config().url(key), what, "SHA-256 " + sha
                        + ", the manifest says " + c.sha256());
            }
            for (Block page : PageChunk.decode(bytes, store.config().url(key), writer.volume())) {
                window.add(writer.write(page), "writing page " + page.address().blockNo());
                pages++;
            }
        }
        window.drain();
        return pages;
    }

    /** At most {@link #WRITES_IN_FLIGHT} writes outstanding; the first failure stops the restore. */
    private static final class Window {
        private final List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        private final List<String> names = new ArrayList<>();

        void add(CompletableFuture<Void> write, String what) {
            inFlight.add(write);
            names.add(what);
            if (inFlight.size() >= WRITES_IN_FLIGHT) {
                drain();
            }
        }

        void drain() {
            for (int i = 0; i < inFlight.size(); i++) {
                await(inFlight.get(i), names.get(i));
            }
            inFlight.clear();
            names.clear();
        }
    }

    private static <T> T await(CompletableFuture<T> f, String what) {
        return StorageWait.await(f, STORAGE_STEP_TIMEOUT, what);
    }
}
