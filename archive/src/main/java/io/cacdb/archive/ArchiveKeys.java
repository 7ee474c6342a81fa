package io.cacdb.archive;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where everything lives in the bucket, relative to the configured prefix ({@code docs/archive.md}, "Layout"):
 * <pre>
 * volume-&lt;V&gt;/log/manifest                                   the archiver's state (text)
 * volume-&lt;V&gt;/log/seg-&lt;start&gt;-&lt;end&gt;-&lt;sha256&gt;.seg          one log segment, LSNs zero-padded to 20 digits
 * volume-&lt;V&gt;/backups/&lt;id&gt;/chunk-&lt;n&gt;                         pages of a backup
 * volume-&lt;V&gt;/backups/&lt;id&gt;/manifest                          written last: a backup without it is incomplete
 * </pre>
 * Zero-padded LSNs make key order LSN order, so a LIST returns segments in log order.
 */
public final class ArchiveKeys {

    private static final Pattern SEGMENT = Pattern.compile("seg-(\\d{20})-(\\d{20})-([0-9a-f]{64})\\.seg");
    private static final Pattern BACKUP_ID = Pattern.compile("v(\\d{1,19})-(\\d{1,19})");

    private ArchiveKeys() {
    }

    public static String volumePrefix(long volume) {
        return "volume-" + volume + "/";
    }

    public static String logPrefix(long volume) {
        return volumePrefix(volume) + "log/";
    }

    public static String logManifest(long volume) {
        return logPrefix(volume) + "manifest";
    }

    public static String segmentPrefix(long volume) {
        return logPrefix(volume) + "seg-";
    }

    public static String segment(long volume, long startLsn, long endLsn, String sha256) {
        return logPrefix(volume) + String.format("seg-%020d-%020d-%s.seg", startLsn, endLsn, sha256);
    }

    /** A segment named by its key: the LSN range it holds and the SHA-256 of its bytes. */
    public record SegmentName(String key, long startLsn, long endLsn, String sha256) {
    }

    /** The segment a key names, or empty if the key is not a segment's. */
    public static Optional<SegmentName> parseSegment(String key) {
        int slash = key.lastIndexOf('/');
        Matcher m = SEGMENT.matcher(key.substring(slash + 1));
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new SegmentName(key, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3)));
    }

    public static String backupsPrefix(long volume) {
        return volumePrefix(volume) + "backups/";
    }

    /** A backup's id: {@code v<volume>-<creation time in epoch millis>}, so the id says which volume it is of. */
    public static String backupId(long volume, long createdMillis) {
        return "v" + volume + "-" + createdMillis;
    }

    /** The volume a backup id belongs to. */
    public static long volumeOfBackup(String backupId) {
        Matcher m = BACKUP_ID.matcher(backupId);
        if (!m.matches()) {
            throw new IllegalArgumentException("backup id '" + backupId + "' is not of the form v<volume>-<millis>"
                    + " (see 'backup list')");
        }
        return Long.parseLong(m.group(1));
    }

    public static String backupPrefix(String backupId) {
        return backupsPrefix(volumeOfBackup(backupId)) + backupId + "/";
    }

    public static String backupManifest(String backupId) {
        return backupPrefix(backupId) + "manifest";
    }

    public static String backupChunk(String backupId, int chunk) {
        return backupPrefix(backupId) + String.format("chunk-%06d", chunk);
    }
}
