package io.cacdb.replay.prefetch;

/**
 * The {@code increase-read-io} controller: the replay read in-flight limit as a function of the lag.
 *
 * <h2>Rule</h2>
 * <pre>
 *   target = min + ceil((max - min) * min(1, lagBytes / lagBytesAtMax))
 *   target &gt; limit  → limit = target                      (rise at once: falling behind is urgent)
 *   target &lt; limit  → limit = max(target, limit - max(1, limit / 4)),
 *                      at most once per decreaseInterval  (fall slowly: no flapping on a quiet moment)
 * </pre>
 * Proportional to the lag, bounded by {@code [min, max]}: a standby that falls behind gets more reads in flight, so
 * page misses overlap (the replay is read-latency bound, CAC-DB §4), and one that has caught up gives the slots
 * back. Policies other than {@code increase-read-io} keep {@code min} ({@link #fixed}). Pure and deterministic (time is
 * passed in); not thread-safe (the tailer thread drives it).
 */
public final class ReadIoController {

    private final ReadIoConfig config;
    private final boolean adaptive;
    private int limit;
    private long lastDecreaseNanos;
    private boolean decreasedOnce;
    private int peak;

    private ReadIoController(ReadIoConfig config, boolean adaptive) {
        this.config = config;
        this.adaptive = adaptive;
        this.limit = config.inFlightMin();
        this.peak = limit;
    }

    public static ReadIoController adaptive(ReadIoConfig config) {
        return new ReadIoController(config, true);
    }

    public static ReadIoController fixed(ReadIoConfig config) {
        return new ReadIoController(config, false);
    }

    /** The limit for a lag of {@code lagBytes} at time {@code nowNanos} (monotonic). */
    public int update(long lagBytes, long nowNanos) {
        if (!adaptive) {
            return limit;
        }
        int target = target(lagBytes);
        if (target > limit) {
            limit = target;
        } else if (target < limit && (!decreasedOnce
                || nowNanos - lastDecreaseNanos >= config.decreaseInterval().toNanos())) {
            limit = Math.max(target, limit - Math.max(1, limit / 4));
            lastDecreaseNanos = nowNanos;
            decreasedOnce = true;
        }
        peak = Math.max(peak, limit);
        return limit;
    }

    int target(long lagBytes) {
        int min = config.inFlightMin();
        int span = config.inFlightMax() - min;
        double share = Math.min(1.0, Math.max(0, lagBytes) / (double) config.lagBytesAtMax());
        return min + (int) Math.ceil(span * share);
    }

    public int limit() {
        return limit;
    }

    /** The highest limit set so far. */
    public int peak() {
        return peak;
    }
}
