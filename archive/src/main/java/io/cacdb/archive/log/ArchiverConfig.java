package io.cacdb.archive.log;

import java.time.Duration;
import java.util.Objects;

/**
 * How the archiver cuts and paces segments.
 *
 * @param segmentTargetBytes upload as soon as this much durable log waits (a busy log moves in few large objects)
 * @param segmentMaxBytes    the largest segment; above {@code S3Store.MULTIPART_THRESHOLD_BYTES} it goes up in parts
 * @param uploadInterval     upload whatever durable log waits at least this often (bounds what a lost storage tier
 *                           can take with it: the recovery point objective)
 * @param backoffMin         first wait after a failed upload
 * @param backoffMax         the wait doubles per failure up to this
 */
public record ArchiverConfig(int segmentTargetBytes, int segmentMaxBytes, Duration uploadInterval,
                             Duration backoffMin, Duration backoffMax) {

    /** 4 MiB: at a busy 10 MB/s of log, 2–3 objects a second; small enough to read back quickly on restore. */
    public static final int DEFAULT_SEGMENT_TARGET_BYTES = 4 << 20;
    /** 32 MiB: a catch-up after an outage moves in big objects (multipart, 8 MiB parts). */
    public static final int DEFAULT_SEGMENT_MAX_BYTES = 32 << 20;
    /** 1 s: an idle-ish database still archives every commit within about a second. */
    public static final Duration DEFAULT_UPLOAD_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_BACKOFF_MIN = Duration.ofMillis(100);
    /** 10 s: an S3 outage costs one request per 10 s, and the archive resumes within 10 s of S3 coming back. */
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(10);
    /** A segment never exceeds 1 GiB: it is held in memory while uploaded and read back whole on restore. */
    static final int SEGMENT_MAX_BYTES_LIMIT = 1 << 30;

    public ArchiverConfig {
        Objects.requireNonNull(uploadInterval, "uploadInterval");
        Objects.requireNonNull(backoffMin, "backoffMin");
        Objects.requireNonNull(backoffMax, "backoffMax");
        if (segmentTargetBytes < 1 || segmentMaxBytes < segmentTargetBytes
                || segmentMaxBytes > SEGMENT_MAX_BYTES_LIMIT) {
            throw new IllegalArgumentException("need 1 <= segment target bytes (" + segmentTargetBytes
                    + ") <= segment max bytes (" + segmentMaxBytes + ") <= " + SEGMENT_MAX_BYTES_LIMIT);
        }
        if (uploadInterval.isNegative() || uploadInterval.isZero() || backoffMin.isNegative()
                || backoffMin.isZero() || backoffMax.compareTo(backoffMin) < 0) {
            throw new IllegalArgumentException("need a positive upload interval (" + uploadInterval
                    + ") and 0 < backoff min (" + backoffMin + ") <= backoff max (" + backoffMax + ")");
        }
    }

    public static ArchiverConfig defaults() {
        return new ArchiverConfig(DEFAULT_SEGMENT_TARGET_BYTES, DEFAULT_SEGMENT_MAX_BYTES, DEFAULT_UPLOAD_INTERVAL,
                DEFAULT_BACKOFF_MIN, DEFAULT_BACKOFF_MAX);
    }

    public ArchiverConfig withUploadInterval(Duration interval) {
        return new ArchiverConfig(segmentTargetBytes, segmentMaxBytes, interval, backoffMin, backoffMax);
    }

    public ArchiverConfig withBackoff(Duration min, Duration max) {
        return new ArchiverConfig(segmentTargetBytes, segmentMaxBytes, uploadInterval, min, max);
    }

    public ArchiverConfig withSegmentBytes(int target, int max) {
        return new ArchiverConfig(target, max, uploadInterval, backoffMin, backoffMax);
    }
}
