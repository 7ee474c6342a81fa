package io.cacdb.replay.tail;

import io.cacdb.engine.volume.ReadConsistency;
import java.time.Duration;
import java.util.Objects;

/**
 * How the tailer polls the shared log.
 *
 * @param pollIntervalMin            the first pause after a poll that found nothing new ("not yet"); doubles per
 *                                   empty poll up to {@code pollIntervalMax}, back to the minimum as soon as a poll
 *                                   returns records
 * @param pollIntervalMax            the longest pause between polls of an idle log: bounds the lag an idle standby
 *                                   adds to the first commit after a quiet spell
 * @param pollRecordsMax             records asked for per poll (the reader returns whole MTRs, at least one)
 * @param consistency                how log blocks are read; QUORUM by default (see {@link Tailer})
 * @param epochHistoryReloadInterval how often META's epoch history is re-read, so a takeover by another node voids
 *                                   the stale tail for this reader too
 * @param truncationCheckInterval    at most this often, a poll that found nothing asks META whether the block it
 *                                   waits for was truncated away (one META read and one block read)
 * @param endProbeInterval           while the window is full, how often the tailer probes how far the log reaches, so
 *                                   the lag stays measured while it is not reading
 * @param storageWaitMax             bound on one META read or probe read
 * @param corruptRetriesMax          a block failing validation at the same LSN this many times in a row stops the
 *                                   replayer; fewer are retried (a replica repaired meanwhile)
 */
public record TailConfig(Duration pollIntervalMin, Duration pollIntervalMax, int pollRecordsMax,
                         ReadConsistency consistency, Duration epochHistoryReloadInterval,
                         Duration truncationCheckInterval, Duration endProbeInterval, Duration storageWaitMax,
                         int corruptRetriesMax) {

    /** 1 ms: a busy log is re-polled almost at once; a poll at the tail reads one block. */
    public static final Duration POLL_INTERVAL_MIN_DEFAULT = Duration.ofMillis(1);
    /** 20 ms: an idle standby reads ~50 blocks/s and adds at most 20 ms of lag, under the 50 ms p99 target. */
    public static final Duration POLL_INTERVAL_MAX_DEFAULT = Duration.ofMillis(20);
    /** 1024 records per poll: ~100 KiB of typical records, a few blocks; the reader reads ahead 16 blocks. */
    public static final int POLL_RECORDS_MAX_DEFAULT = 1024;
    /** 1 s: a takeover by another node is noticed within a second (this node's own takeover reloads at once). */
    public static final Duration EPOCH_HISTORY_RELOAD_INTERVAL_DEFAULT = Duration.ofSeconds(1);
    /** 500 ms: truncation only happens at checkpoints (30 s apart by default); checking idle costs 2 reads/s. */
    public static final Duration TRUNCATION_CHECK_INTERVAL_DEFAULT = Duration.ofMillis(500);
    /** 100 ms: the lag of a standby whose window is full is re-measured 10 times a second (O(log n) reads each). */
    public static final Duration END_PROBE_INTERVAL_DEFAULT = Duration.ofMillis(100);
    /** 10 s, as the log reader's own block read bound. */
    public static final Duration STORAGE_WAIT_MAX_DEFAULT = Duration.ofSeconds(10);
    /** 10 retries at the growing poll interval: ~0.2 s for a replica to be repaired before the standby gives up. */
    public static final int CORRUPT_RETRIES_MAX_DEFAULT = 10;

    public TailConfig {
        Objects.requireNonNull(pollIntervalMin, "pollIntervalMin");
        Objects.requireNonNull(pollIntervalMax, "pollIntervalMax");
        Objects.requireNonNull(consistency, "consistency");
        Objects.requireNonNull(epochHistoryReloadInterval, "epochHistoryReloadInterval");
        Objects.requireNonNull(truncationCheckInterval, "truncationCheckInterval");
        Objects.requireNonNull(endProbeInterval, "endProbeInterval");
        Objects.requireNonNull(storageWaitMax, "storageWaitMax");
        if (pollIntervalMin.isNegative() || pollIntervalMin.isZero() || pollIntervalMax.compareTo(pollIntervalMin) < 0) {
            throw new IllegalArgumentException("need 0 < pollIntervalMin <= pollIntervalMax, was " + pollIntervalMin
                    + ", " + pollIntervalMax);
        }
        if (pollRecordsMax < 1) {
            throw new IllegalArgumentException("pollRecordsMax must be >= 1, was " + pollRecordsMax);
        }
        if (consistency == ReadConsistency.AT_LEAST) {
            throw new IllegalArgumentException("log blocks are read at QUORUM or ANY; AT_LEAST needs a known version");
        }
        for (Duration d : new Duration[] {epochHistoryReloadInterval, truncationCheckInterval, endProbeInterval,
                storageWaitMax}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("tail intervals and waits must be > 0, was " + d);
            }
        }
        if (corruptRetriesMax < 0) {
            throw new IllegalArgumentException("corruptRetriesMax must be >= 0, was " + corruptRetriesMax);
        }
    }

    public static TailConfig defaults() {
        return new TailConfig(POLL_INTERVAL_MIN_DEFAULT, POLL_INTERVAL_MAX_DEFAULT, POLL_RECORDS_MAX_DEFAULT,
                ReadConsistency.QUORUM, EPOCH_HISTORY_RELOAD_INTERVAL_DEFAULT, TRUNCATION_CHECK_INTERVAL_DEFAULT,
                END_PROBE_INTERVAL_DEFAULT, STORAGE_WAIT_MAX_DEFAULT, CORRUPT_RETRIES_MAX_DEFAULT);
    }

    public TailConfig withPollIntervals(Duration min, Duration max) {
        return new TailConfig(min, max, pollRecordsMax, consistency, epochHistoryReloadInterval,
                truncationCheckInterval, endProbeInterval, storageWaitMax, corruptRetriesMax);
    }

    public TailConfig withPollRecordsMax(int n) {
        return new TailConfig(pollIntervalMin, pollIntervalMax, n, consistency, epochHistoryReloadInterval,
                truncationCheckInterval, endProbeInterval, storageWaitMax, corruptRetriesMax);
    }
}
