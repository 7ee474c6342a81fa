package io.cacdb.replay.prefetch;

import java.time.Duration;
import java.util.Objects;

/**
 * The standby's "read-IO threads" (CAC-DB): how many replay page reads may be in flight, and how that follows the lag.
 *
 * @param inFlightMin         the limit when caught up, and the fixed limit of the policies that do not adapt
 * @param inFlightMax         the highest limit the controller sets; must not exceed the IO scheduler's REPLAY_READ
 *                            ceiling (checked when the replayer starts)
 * @param lagBytesAtMax       replay lag, in bytes of log, at which the limit reaches {@code inFlightMax}; below, it
 *                            grows in proportion
 * @param decreaseInterval    the limit falls by at most a quarter per interval, so one quiet moment does not undo a
 *                            raise that a burst needed; it rises at once
 * @param queuedMax           pages waiting for a prefetch slot; beyond, pages are not prefetched (the applier reads
 *                            them itself); must fit the REPLAY_READ queue (checked at start)
 * @param unsafeFractionMax   no prefetching while more than this share of the pool is unsafe: a prefetch would take
 *                            one of the few frames the applier still has
 */
public record ReadIoConfig(int inFlightMin, int inFlightMax, long lagBytesAtMax, Duration decreaseInterval,
                           int queuedMax, double unsafeFractionMax) {

    /** 8 in flight when caught up: a few pages per MTR, read while the previous MTRs apply. */
    public static final int IN_FLIGHT_MIN_DEFAULT = 8;

    /**
     * 96 at most: below the default REPLAY_READ ceiling (120 = the non-reserved global slots) so foreground misses
     * and page writes keep some slots after a takeover.
     */
    public static final int IN_FLIGHT_MAX_DEFAULT = 96;

    /**
     * 8 MiB of lag reaches the maximum: at the 50 ms p99 lag target and ~100 MB/s of peak log that is ~1.5 target
     * periods behind — clearly falling behind, not jitter.
     */
    public static final long LAG_BYTES_AT_MAX_DEFAULT = 8L << 20;

    /** 250 ms per step down: a full fall from 96 to 8 takes ~2 s, longer than a burst, shorter than a trend. */
    public static final Duration DECREASE_INTERVAL_DEFAULT = Duration.ofMillis(250);

    /** 1024 pages queued: about a full window of small MTRs' pages, well inside the REPLAY_READ queue (4096). */
    public static final int QUEUED_MAX_DEFAULT = 1024;

    /** Stop prefetching when 3/4 of the pool is unsafe. */
    public static final double UNSAFE_FRACTION_MAX_DEFAULT = 0.75;

    public ReadIoConfig {
        Objects.requireNonNull(decreaseInterval, "decreaseInterval");
        if (inFlightMin < 1 || inFlightMax < inFlightMin) {
            throw new IllegalArgumentException("need 1 <= inFlightMin <= inFlightMax, was " + inFlightMin + ", "
                    + inFlightMax);
        }
        if (lagBytesAtMax < 1) {
            throw new IllegalArgumentException("lagBytesAtMax must be >= 1, was " + lagBytesAtMax);
        }
        if (decreaseInterval.isNegative()) {
            throw new IllegalArgumentException("decreaseInterval must be >= 0, was " + decreaseInterval);
        }
        if (queuedMax < 1) {
            throw new IllegalArgumentException("queuedMax must be >= 1, was " + queuedMax);
        }
        if (!(unsafeFractionMax > 0 && unsafeFractionMax <= 1)) {
            throw new IllegalArgumentException("unsafeFractionMax must be in (0, 1], was " + unsafeFractionMax);
        }
    }

    public static ReadIoConfig defaults() {
        return new ReadIoConfig(IN_FLIGHT_MIN_DEFAULT, IN_FLIGHT_MAX_DEFAULT, LAG_BYTES_AT_MAX_DEFAULT,
                DECREASE_INTERVAL_DEFAULT, QUEUED_MAX_DEFAULT, UNSAFE_FRACTION_MAX_DEFAULT);
    }

    public ReadIoConfig withInFlight(int min, int max) {
        return new ReadIoConfig(min, max, lagBytesAtMax, decreaseInterval, queuedMax, unsafeFractionMax);
    }

    public ReadIoConfig withLagBytesAtMax(long bytes) {
        return new ReadIoConfig(inFlightMin, inFlightMax, bytes, decreaseInterval, queuedMax, unsafeFractionMax);
    }

    public ReadIoConfig withDecreaseInterval(Duration d) {
        return new ReadIoConfig(inFlightMin, inFlightMax, lagBytesAtMax, d, queuedMax, unsafeFractionMax);
    }
}
