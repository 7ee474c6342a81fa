package io.cacdb.archive.backup;

import io.cacdb.archive.ArchiveKeys;
import io.cacdb.archive.log.ArchivedLog;
import io.cacdb.archive.log.LogArchiveManifest;
import io.cacdb.archive.s3.ArchiveException;
import io.cacdb.archive.s3.ObjectCorruptException;
import io.cacdb.archive.s3.S3Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The backups of a volume: list them, verify one (every chunk against its checksum, and the archived log covering
 * its start..end with every segment checked), and expire old ones by a retention rule (keep the newest N, and any
 * newer than an age), deleting with them the archived log no kept backup needs.
 */
public final class Backups {

    private Backups() {
    }

    /** The finished backups of {@code volume} (those with a manifest), oldest first. */
    public static List<BackupManifest> list(S3Store store, long volume) {
        List<BackupManifest> out = new ArrayList<>();
        for (S3Store.Listed l : store.list(ArchiveKeys.backupsPrefix(volume), Optional.empty())) {
            if (l.key().endsWith("/manifest")) {
                out.add(BackupManifest.decode(store.get(l.key(), "backup manifest"), store.config().url(l.key())));
            }
        }
        out.sort(Comparator.comparingLong(BackupManifest::createdMillis));
        return out;
    }

    /** What {@link #verify} checked. */
    public record Verified(BackupManifest backup, int chunks, long pages, int segments, long archivedLsn) {
    }

    /**
     * Reads every chunk of backup {@code id} and checks its SHA-256 and layout, then that the archived log holds
     * {@code [log start, end]} without a gap, fetching and checking every segment of the range. Fails with an
     * {@link ArchiveException} naming the first missing or corrupt object, or the gap.
     */
    public static Verified verify(S3Store store, String id) {
        BackupManifest m = BackupManifest.read(store, id);
        long pages = 0;
        for (BackupManifest.Chunk c : m.chunks()) {
            String key = ArchiveKeys.backupChunk(id, c.index());
            String what = "chunk " + c.index() + " of backup " + id;
            byte[] bytes = store.get(key, what);
            String sha = S3Store.sha256(bytes);
            if (!sha.equals(c.sha256())) {
                throw new ObjectCorruptException(store.config().url(key), what, "SHA-256 " + sha
                        + ", the manifest says " + c.sha256());
            }
            int n = PageChunk.decode(bytes, store.config().url(key), m.volume()).size();
            if (n != c.pages()) {
                throw new ObjectCorruptException(store.config().url(key), what, n + " pages, the manifest says "
                        + c.pages());
            }
            pages += n;
        }
        LogArchiveManifest archive = LogArchiveManifest.read(store, m.volume()).orElseThrow(() ->
                new ArchiveException("backup " + id + " has no log archive: "
                        + store.config().url(ArchiveKeys.logManifest(m.volume())) + " is missing"));
        if (archive.archivedLsn() < m.endLsn()) {
            throw new ArchiveException("backup " + id + " needs the log up to LSN " + m.endLsn()
                    + " but the archive of volume " + m.volume() + " reaches only " + archive.archivedLsn());
        }
        ArchivedLog log = ArchivedLog.open(store, m.volume(), m.volume(), m.logStartLsn(), m.endLsn());
        for (var s : log.chain()) {
            ArchivedLog.fetch(store, s);
        }
        return new Verified(m, m.chunks().size(), pages, log.chain().size(), archive.archivedLsn());
    }

    /** What {@link #expire} deleted. */
    public record Expired(List<String> deletedBackups, int deletedSegments) {
    }

    /**
     * Deletes the backups of {@code volume} that are neither among the newest {@code keepNewest} nor newer than
     * {@code keepNewerThan} (at {@code nowMillis}), then the archived log segments that end at or below the start LSN
     * of the oldest backup kept (no restore can use them). A backup's manifest goes first, so a backup half deleted
     * is never listed. With no backup kept, no log is deleted.
     */
    public static Expired expire(S3Store store, long volume, int keepNewest, Duration keepNewerThan, long nowMillis) {
        if (keepNewest < 1) {
            throw new IllegalArgumentException("keep-newest must be at least 1 (expire never deletes every backup),"
                    + " was " + keepNewest);
        }
        List<BackupManifest> all = list(store, volume);
        List<String> deleted = new ArrayList<>();
        List<BackupManifest> kept = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            BackupManifest b = all.get(i);
            boolean newest = i >= all.size() - keepNewest;
            boolean young = nowMillis - b.createdMillis() < keepNewerThan.toMillis();
            if (newest || young) {
                kept.add(b);
                continue;
            }
            store.delete(ArchiveKeys.backupManifest(b.id()));
            for (BackupManifest.Chunk c : b.chunks()) {
                store.delete(ArchiveKeys.backupChunk(b.id(), c.index()));
            }
            deleted.add(b.id());
        }
        int segments = 0;
        if (!kept.isEmpty()) {
            long floor = kept.stream().mapToLong(BackupManifest::logStartLsn).min().orElseThrow();
            for (var s : ArchivedLog.segments(store, volume)) {
                if (s.endLsn() <= floor) {
                    store.delete(s.key());
                    segments++;
                }
            }
        }
        return new Expired(deleted, segments);
    }
}
