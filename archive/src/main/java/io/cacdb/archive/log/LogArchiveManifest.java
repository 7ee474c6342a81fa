package io.cacdb.archive.log;

import io.cacdb.archive.ArchiveKeys;
import io.cacdb.archive.TextManifest;
import io.cacdb.archive.s3.S3Store;
import java.util.List;
import java.util.Optional;

/**
 * The archiver's state in {@code volume-<V>/log/manifest}, rewritten after every segment: the log of the volume is in
 * the archive from {@code startLsn} to {@code archivedLsn} (as a chain of segments; a gap is only possible where
 * archiving was off), last advanced at {@code archivedAtMicros} (wall clock of the archiving node) by a node at
 * {@code writerEpoch}. A new active continues from {@code archivedLsn}; an archiver that finds a higher epoch here
 * stops (a newer active owns the archive).
 */
public record LogArchiveManifest(long volume, long writerEpoch, long startLsn, long archivedLsn,
                                 long archivedAtMicros) {

    static final String KIND = "cacdb-log-archive";
    static final int FORMAT = 1;

    public LogArchiveManifest {
        if (startLsn < 0 || archivedLsn < startLsn) {
            throw new IllegalArgumentException("archive range [" + startLsn + ", " + archivedLsn + ") is backwards");
        }
    }

    public byte[] encode() {
        return TextManifest.create(KIND, FORMAT).put("volume", volume).put("writer-epoch", writerEpoch)
                .put("start-lsn", startLsn).put("archived-lsn", archivedLsn)
                .put("archived-at-micros", archivedAtMicros).toBytes();
    }

    public static Optional<LogArchiveManifest> read(S3Store store, long volume) {
        String key = ArchiveKeys.logManifest(volume);
        return store.find(key).map(bytes -> {
            TextManifest m = TextManifest.parse(bytes, store.config().url(key), KIND, FORMAT, List.of());
            return new LogArchiveManifest(m.number("volume"), m.number("writer-epoch"), m.number("start-lsn"),
                    m.number("archived-lsn"), m.number("archived-at-micros"));
        });
    }

    public void write(S3Store store) {
        store.put(ArchiveKeys.logManifest(volume), encode());
    }
}
