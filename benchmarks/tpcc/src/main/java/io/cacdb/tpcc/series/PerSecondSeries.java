package io.cacdb.tpcc.series;

import io.cacdb.tpcc.txn.TransactionType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/**
 * One row per second of a run, bucketed by <em>completion</em> time (the second a COMMIT returned, an error arrived),
 * not by start time: a failover graph must show commits when they happened, and failed attempts never as work
 * done. Each row holds committed transactions per type, user rollbacks, retryable aborts (40001/40P01), connection
 * errors, other errors, and p50/p95/p99 latency of that second's commits.
 *
 * <p>Bounded: the row count is fixed at construction (at most {@link #MAX_SECONDS}); events after the last row are
 * counted in the last row and in {@link #eventsPastEnd()}. Latencies go into a small ring of per-second histograms;
 * a second's percentiles are computed ("sealed") once it is {@link #sealBefore sealed}, by the run's ticker or when
 * its ring slot is needed again, so memory does not grow with the run.
 *
 * <p>Every commit's completion instant is also kept ({@link #commitInstants()}, bounded) for measures finer than a
 * second.
 *
 * <p>Thread-safe: terminals record concurrently; readers see counters at once and percentiles once sealed.
 */
public final class PerSecondSeries {

    /** Two days of rows (≈ 17 MB); longer runs should be split. */
    public static final int MAX_SECONDS = 2 * 24 * 3600;
    /** Per-second histograms kept at once: a second must be sealed before its slot comes round again. */
    static final int RING_SECONDS = 8;
    /** Latencies above this are recorded as this (a transaction stuck for 10 minutes is "10 minutes"). */
    public static final long HIGHEST_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);
    /** Two significant digits: 1% resolution is plenty for a per-second percentile. */
    private static final int PRECISION_DIGITS = 2;

    /** The counted columns of a row. */
    public enum Counter {
        NEW_ORDER_COMMITS, PAYMENT_COMMITS, ORDER_STATUS_COMMITS, DELIVERY_COMMITS, STOCK_LEVEL_COMMITS,
        USER_ROLLBACKS, RETRYABLE_ABORTS, CONNECTION_ERRORS, OTHER_ERRORS;

        public static Counter commitsOf(TransactionType t) {
            return switch (t) {
                case NEW_ORDER -> NEW_ORDER_COMMITS;
                case PAYMENT -> PAYMENT_COMMITS;
                case ORDER_STATUS -> ORDER_STATUS_COMMITS;
                case DELIVERY -> DELIVERY_COMMITS;
                case STOCK_LEVEL -> STOCK_LEVEL_COMMITS;
            };
        }
    }

    private static final int COUNTERS = Counter.values().length;

    /**
     * One second.
     *
     * @param second seconds since the run started (the row covers [second, second + 1))
     * @param counts by {@link Counter} ordinal
     * @param p50Millis latency percentiles of the second's commits; NaN when none committed or not sealed yet
     */
    public record Row(int second, long[] counts, double p50Millis, double p95Millis, double p99Millis) {
        public long count(Counter c) {
            return counts[c.ordinal()];
        }

        /** Committed transactions of every type. */
        public long commits() {
            long sum = 0;
            for (TransactionType t : TransactionType.values()) {
                sum += count(Counter.commitsOf(t));
            }
            return sum;
        }
    }

    private static final class Slot {
        int second = -1;
        final Histogram histogram = new Histogram(HIGHEST_LATENCY_MICROS, PRECISION_DIGITS);
    }

    private final long startNanos;
    private final int capacity;
    private final AtomicLongArray counts;
    private final AtomicLongArray percentiles; // micros, 3 per row; -1 = none
    private final Slot[] ring = new Slot[RING_SECONDS];
    private final AtomicInteger sealedBefore = new AtomicInteger();
    private final AtomicInteger highestSecond = new AtomicInteger(-1);
    private final AtomicLong pastEnd = new AtomicLong();
    private final AtomicLong lateLatencies = new AtomicLong();
    private final CommitInstants commitInstants;

    /**
     * @param startNanos   {@link System#nanoTime()} of second 0
     * @param capacitySeconds rows kept, 1..{@link #MAX_SECONDS}
     */
    public PerSecondSeries(long startNanos, int capacitySeconds) {
        if (capacitySeconds < 1 || capacitySeconds > MAX_SECONDS) {
            throw new IllegalArgumentException("series capacity must be 1.." + MAX_SECONDS + " s, was "
                    + capacitySeconds);
        }
        this.startNanos = startNanos;
        this.capacity = capacitySeconds;
        this.counts = new AtomicLongArray(capacitySeconds * COUNTERS);
        this.percentiles = new AtomicLongArray(capacitySeconds * 3);
        for (int i = 0; i < percentiles.length(); i++) {
            percentiles.set(i, -1);
        }
        for (int i = 0; i < RING_SECONDS; i++) {
            ring[i] = new Slot();
        }
        this.commitInstants = new CommitInstants(startNanos, CommitInstants.MAX_ENTRIES);
    }

    public long startNanos() {
        return startNanos;
    }

    public int capacitySeconds() {
        return capacity;
    }

    /** The row an event at {@code nanos} belongs to (clamped to the first and last row). */
    public int secondOf(long nanos) {
        long s = Math.floorDiv(nanos - startNanos, 1_000_000_000L);
        if (s >= capacity) {
            pastEnd.incrementAndGet();
            return capacity - 1;
        }
        return (int) Math.max(0, s);
    }

    /** Counts one event (not a commit) at {@code atNanos}. */
    public void count(Counter c, long atNanos) {
        int s = secondOf(atNanos);
        counts.incrementAndGet(s * COUNTERS + c.ordinal());
        highestSecond.accumulateAndGet(s, Math::max);
    }

    /** Counts a commit of {@code type} that returned at {@code atNanos} after {@code latencyNanos}. */
    public void commit(TransactionType type, long atNanos, long latencyNanos) {
        commitInstants.record(atNanos);
        int s = secondOf(atNanos);
        counts.incrementAndGet(s * COUNTERS + Counter.commitsOf(type).ordinal());
        highestSecond.accumulateAndGet(s, Math::max);
        long micros = Math.min(HIGHEST_LATENCY_MICROS, Math.max(0, latencyNanos / 1_000));
        Slot slot = ring[s % RING_SECONDS];
        synchronized (slot) {
            if (s < sealedBefore.get() || s < slot.second) {
                lateLatencies.incrementAndGet(); // its second's percentiles are already computed
                return;
            }
            if (slot.second != s) {
                seal(slot);
                slot.second = s;
            }
            slot.histogram.recordValue(micros);
        }
    }

    /** Computes the percentiles of every second before {@code second}; later latencies for them are dropped. */
    public void sealBefore(int second) {
        int target = Math.min(second, capacity);
        sealedBefore.accumulateAndGet(target, Math::max);
        for (Slot slot : ring) {
            synchronized (slot) {
                if (slot.second >= 0 && slot.second < sealedBefore.get()) {
                    seal(slot);
                }
            }
        }
    }

    /** Seals everything (after the run). */
    public void sealAll() {
        sealBefore(capacity);
    }

    private void seal(Slot slot) {
        if (slot.second < 0) {
            return;
        }
        Histogram h = slot.histogram;
        if (h.getTotalCount() > 0) {
            int base = slot.second * 3;
            percentiles.set(base, h.getValueAtPercentile(50));
            percentiles.set(base + 1, h.getValueAtPercentile(95));
            percentiles.set(base + 2, h.getValueAtPercentile(99));
        }
        h.reset();
        slot.second = -1;
    }

    /** The highest second with any event so far, -1 if none. */
    public int highestSecond() {
        return highestSecond.get();
    }

    public Row row(int second) {
        if (second < 0 || second >= capacity) {
            throw new IndexOutOfBoundsException("second " + second + " not in [0, " + capacity + ")");
        }
        long[] c = new long[COUNTERS];
        for (int i = 0; i < COUNTERS; i++) {
            c[i] = counts.get(second * COUNTERS + i);
        }
        return new Row(second, c, millis(percentiles.get(second * 3)), millis(percentiles.get(second * 3 + 1)),
                millis(percentiles.get(second * 3 + 2)));
    }

    /** Rows [from, to), clamped to the capacity. */
    public List<Row> rows(int fromInclusive, int toExclusive) {
        List<Row> rows = new ArrayList<>();
        for (int s = Math.max(0, fromInclusive); s < Math.min(toExclusive, capacity); s++) {
            rows.add(row(s));
        }
        return rows;
    }

    /** The completion instant of every commit (millisecond-resolution gaps and downtime). */
    public CommitInstants commitInstants() {
        return commitInstants;
    }

    /** Events whose time fell after the last row (counted in the last row). */
    public long eventsPastEnd() {
        return pastEnd.get();
    }

    /** Commits whose latency arrived after their second was sealed (counted, latency not in that row). */
    public long lateLatencies() {
        return lateLatencies.get();
    }

    private static double millis(long micros) {
        return micros < 0 ? Double.NaN : micros / 1000.0;
    }
}
