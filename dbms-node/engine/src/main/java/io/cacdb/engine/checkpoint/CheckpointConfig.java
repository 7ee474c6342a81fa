package io.cacdb.engine.checkpoint;

import java.time.Duration;
import java.util.Objects;

/**
 * When the {@link Checkpointer} works and how long it waits for storage.
 *
 * @param checkpointInterval     time between fuzzy checkpoints. Bounds recovery and takeover work (the log from the
 *                               redo start) and how soon log can be truncated; 30 s by default, which at tens of MB/s
 *                               of log keeps recovery to a few seconds of redo.
 * @param flushWatermarkInterval time between flush watermark records (written only when the watermark moved). The
 *                               standby may evict a replayed page only below the latest watermark, so this bounds how
 *                               long its unsafe pages pile up; 200 ms by default, twice the buffer pool flusher's
 *                               idle pause (the watermark cannot move faster than pages are flushed).
 * @param storageWaitMax         bound on one wait for storage (the checkpoint record becoming durable, the META write,
 *                               the truncation); a round that exceeds it fails and the next one retries. 30 s.
 */
public record CheckpointConfig(Duration checkpointInterval, Duration flushWatermarkInterval, Duration storageWaitMax) {

    public static final Duration CHECKPOINT_INTERVAL_DEFAULT = Duration.ofSeconds(30);
    public static final Duration FLUSH_WATERMARK_INTERVAL_DEFAULT = Duration.ofMillis(200);
    public static final Duration STORAGE_WAIT_MAX_DEFAULT = Duration.ofSeconds(30);

    public CheckpointConfig {
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Objects.requireNonNull(flushWatermarkInterval, "flushWatermarkInterval");
        Objects.requireNonNull(storageWaitMax, "storageWaitMax");
        for (Duration d : new Duration[] {checkpointInterval, flushWatermarkInterval, storageWaitMax}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("checkpoint durations must be > 0, got " + d);
            }
        }
        if (flushWatermarkInterval.compareTo(checkpointInterval) > 0) {
            throw new IllegalArgumentException("flushWatermarkInterval " + flushWatermarkInterval
                    + " must not exceed checkpointInterval " + checkpointInterval
                    + " (a checkpoint writes a watermark too)");
        }
    }

    public static CheckpointConfig defaults() {
        return new CheckpointConfig(CHECKPOINT_INTERVAL_DEFAULT, FLUSH_WATERMARK_INTERVAL_DEFAULT,
                STORAGE_WAIT_MAX_DEFAULT);
    }

    public CheckpointConfig withCheckpointInterval(Duration d) {
        return new CheckpointConfig(d, flushWatermarkInterval.compareTo(d) > 0 ? d : flushWatermarkInterval,
                storageWaitMax);
    }

    public CheckpointConfig withFlushWatermarkInterval(Duration d) {
        return new CheckpointConfig(checkpointInterval, d, storageWaitMax);
    }
}
