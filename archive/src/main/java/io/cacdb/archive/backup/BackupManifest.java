package io.cacdb.archive.backup;

import io.cacdb.archive.ArchiveKeys;
import io.cacdb.archive.TextManifest;
import io.cacdb.archive.s3.S3Store;
import java.util.ArrayList;
import java.util.List;

/**
 * A finished backup ({@code volume-<V>/backups/<id>/manifest}, written after every chunk): the fuzzy page copy of
 * {@code volume} taken while it ran. Restoring it needs the archived log from {@code startLsn} (the redo start of the
 * checkpoint current when the copy began) through {@code endLsn} (the durable end of the log when the copy finished):
 * the backup is consistent only at or after {@code endLsn}. {@code checkpointLsn} is where recovery's analysis starts.
 * {@code logStartLsn} (at or below {@code startLsn}) is where the restored log begins: the oldest log DAX still held
 * when the copy began, which the engine's truncation keeps for every transaction then active — rolling back one that
 * began before the redo start needs its early records.
 */
public record BackupManifest(String id, long volume, long createdMillis, long logStartLsn, long checkpointLsn,
                             long startLsn, long endLsn, long pages, List<Chunk> chunks) {

    /** One chunk object: its index, how many pages it holds, its size and SHA-256. */
    public record Chunk(int index, int pages, long bytes, String sha256) {
    }

    static final String KIND = "cacdb-backup";
    static final int FORMAT = 1;

    public BackupManifest {
        chunks = List.copyOf(chunks);
        if (logStartLsn < 0 || startLsn < logStartLsn || checkpointLsn < startLsn || endLsn < checkpointLsn) {
            throw new IllegalArgumentException("backup " + id + ": need log start " + logStartLsn + " <= start "
                    + startLsn + " <= checkpoint " + checkpointLsn + " <= end " + endLsn);
        }
    }

    public byte[] encode() {
        TextManifest m = TextManifest.create(KIND, FORMAT).put("id", id).put("volume", volume)
                .put("created-millis", createdMillis).put("log-start-lsn", logStartLsn)
                .put("checkpoint-lsn", checkpointLsn).put("start-lsn", startLsn)
                .put("end-lsn", endLsn).put("pages", pages);
        for (Chunk c : chunks) {
            m.add("chunk", c.index(), c.pages(), c.bytes(), c.sha256());
        }
        return m.toBytes();
    }

    public static BackupManifest read(S3Store store, String id) {
        String key = ArchiveKeys.backupManifest(id);
        byte[] bytes = store.get(key, "the manifest of backup " + id + " (is the id right? see 'backup list')");
        return decode(bytes, store.config().url(key));
    }

    static BackupManifest decode(byte[] bytes, String url) {
        TextManifest m = TextManifest.parse(bytes, url, KIND, FORMAT, List.of("chunk"));
        List<Chunk> chunks = new ArrayList<>();
        for (String[] row : m.rows("chunk", 4)) {
            chunks.add(new Chunk((int) m.parseLong(row[0], "chunk index"), (int) m.parseLong(row[1], "chunk pages"),
                    m.parseLong(row[2], "chunk bytes"), row[3]));
        }
        return new BackupManifest(m.string("id"), m.number("volume"), m.number("created-millis"),
                m.number("log-start-lsn"), m.number("checkpoint-lsn"), m.number("start-lsn"), m.number("end-lsn"), m.number("pages"), chunks);
    }
}
