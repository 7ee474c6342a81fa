package io.cacdb.cli.experiment;

import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The failover experiment's measures, computed from what the TPC-C driver recorded: every commit's completion instant
 * (nanoseconds since the run's start) and commits per second by completion time. Pure functions, so each definition is
 * tested on hand-built series ({@code FailoverMeasuresTest}):
 *
 * <ul>
 *   <li><b>downtime</b>: from the kill to the first commit after the outage — the end of the longest pause between
 *       commit completions from the kill on (answers of the dying active that were in flight at the kill do not end
 *       it);</li>
 *   <li><b>longest zero-commit gap</b>: the longest time between two consecutive commit completions (the kill's gap,
 *       normally; a stall elsewhere shows too);</li>
 *   <li><b>baseline</b>: mean commits/s over the last complete seconds before the kill's second (at most
 *       {@link #BASELINE_SECONDS_MAX}, at least the later half of the time before the kill, so a warming start counts
 *       less);</li>
 *   <li><b>time back to 90%</b>: from the kill to the end of the first second e after it whose moving average is at
 *       least 90% of the baseline and stays so for the {@link #HOLD_SECONDS} seconds after. The moving average at e is
 *       the mean of the up to {@link #WINDOW_SECONDS} seconds [e − 9, e] that lie wholly after the kill (the kill's own
 *       second, part before and part after, is left out): a window reaching back before the kill would average
 *       pre-kill throughput into "recovered".</li>
 * </ul>
 */
public final class FailoverMeasures {

    /** The moving-average window of "back to 90%" (the 10-s moving average). */
    public static final int WINDOW_SECONDS = 10;
    /** "... and stays there for 10 s". */
    public static final int HOLD_SECONDS = 10;
    /** The share of the baseline that counts as recovered. */
    public static final double RECOVERED_FRACTION = 0.9;
    /** The baseline averages at most the last 30 s before the kill. */
    public static final int BASELINE_SECONDS_MAX = 30;

    private FailoverMeasures() {
    }

    /**
     * Kill → the first commit completing after the outage, in nanoseconds: the end of the longest pause between commit
     * completions from the kill on (the kill itself counting as the first instant). Commits the dying active had
     * acknowledged an instant before the kill can complete just after it (their answer was in flight); counting the
     * first of those as "the first commit after the kill" reported a downtime of 0 ms (unsafe-eviction run,
     * 2026-11-21). Empty if nothing committed after the kill.
     */
    public static OptionalLong downtimeNanos(long[] sortedCommitNanos, long killNanos) {
        int i = firstAfter(sortedCommitNanos, killNanos);
        if (i >= sortedCommitNanos.length) {
            return OptionalLong.empty();
        }
        long previous = killNanos;
        long longest = -1;
        long end = sortedCommitNanos[i];
        for (int j = i; j < sortedCommitNanos.length; j++) {
            if (sortedCommitNanos[j] - previous > longest) {
                longest = sortedCommitNanos[j] - previous;
                end = sortedCommitNanos[j];
            }
            previous = sortedCommitNanos[j];
        }
        return OptionalLong.of(end - killNanos);
    }

    /**
     * The longest interval without a commit completion within [fromNanos, toNanos]: between consecutive commits, from
     * {@code fromNanos} to the first, and from the last to {@code toNanos} (a run that never recovers has its whole
     * tail as the gap).
     */
    public static long longestGapNanos(long[] sortedCommitNanos, long fromNanos, long toNanos) {
        if (toNanos < fromNanos) {
            throw new IllegalArgumentException("gap window ends before it starts: " + fromNanos + " > " + toNanos);
        }
        long previous = fromNanos;
        long longest = 0;
        for (long t : sortedCommitNanos) {
            if (t < fromNanos) {
                continue;
            }
            if (t > toNanos) {
                break;
            }
            longest = Math.max(longest, t - previous);
            previous = t;
        }
        return Math.max(longest, toNanos - previous);
    }

    /** Mean commits/s before the kill's second (see the class comment); empty if no complete second precedes it. */
    public static OptionalDouble baselinePerSecond(long[] commitsPerSecond, long killNanos) {
        int killSecond = (int) (killNanos / 1_000_000_000L);
        int seconds = Math.min(BASELINE_SECONDS_MAX, Math.max(1, killSecond / 2));
        int from = Math.max(0, killSecond - seconds);
        if (killSecond - from < 1 || killSecond > commitsPerSecond.length) {
            return OptionalDouble.empty();
        }
        long sum = 0;
        for (int s = from; s < killSecond; s++) {
            sum += commitsPerSecond[s];
        }
        return OptionalDouble.of((double) sum / (killSecond - from));
    }

    /** When the throughput came back, or why it did not. */
    public record Recovery(Long millis, Integer atSecond, String reason) {
        static Recovery at(long millis, int second) {
            return new Recovery(millis, second, null);
        }

        static Recovery never(String reason) {
            return new Recovery(null, null, reason);
        }

        public boolean reached() {
            return millis != null;
        }
    }

    /**
     * Time from the kill back to {@link #RECOVERED_FRACTION} of {@code baseline} (see the class comment).
     *
     * @param commitsPerSecond commits per second since the run's start
     * @param lastSecond       the last complete second of the run (later rows are the in-flight tail)
     */
    public static Recovery timeToRecovered(long[] commitsPerSecond, int lastSecond, long killNanos, double baseline) {
        if (!(baseline > 0)) {
            return Recovery.never("no pre-kill baseline (nothing committed before the kill)");
        }
        int killSecond = (int) (killNanos / 1_000_000_000L);
        int last = Math.min(lastSecond, commitsPerSecond.length - 1);
        double[] ma = postKillMovingAverage(commitsPerSecond, killSecond, last);
        double target = RECOVERED_FRACTION * baseline;
        Integer firstReached = null;
        for (int e = killSecond + 1; e <= last; e++) {
            if (ma[e] < target) {
                continue;
            }
            if (firstReached == null) {
                firstReached = e;
            }
            int holdEnd = e + HOLD_SECONDS;
            if (holdEnd > last) {
                return Recovery.never(String.format(java.util.Locale.ROOT, "reached %.0f%% of the baseline at second "
                        + "%d but the run ended before it had held for %d s (make --after longer)",
                        RECOVERED_FRACTION * 100, e, HOLD_SECONDS));
            }
            boolean held = true;
            for (int s = e + 1; s <= holdEnd && held; s++) {
                held = ma[s] >= target;
            }
            if (held) {
                return Recovery.at((e + 1) * 1000L - killNanos / 1_000_000L, e);
            }
        }
        double best = Arrays.stream(ma, Math.min(killSecond + 1, ma.length), ma.length).max().orElse(0);
        return Recovery.never(String.format(java.util.Locale.ROOT, "the %d-s moving average never reached %.0f%% of "
                + "the baseline (%.1f commits/s) and stayed; best after the kill: %.1f commits/s%s", WINDOW_SECONDS,
                RECOVERED_FRACTION * 100, baseline, best, firstReached == null ? "" : " (touched it at second "
                + firstReached + ", fell back)"));
    }

    /**
     * The moving average of "back to 90%": at second e > killSecond, the mean of seconds [max(killSecond + 1,
     * e − 9), e]; NaN at and before the kill's second.
     */
    public static double[] postKillMovingAverage(long[] commitsPerSecond, int killSecond, int lastSecond) {
        double[] ma = new double[Math.max(0, lastSecond + 1)];
        Arrays.fill(ma, Double.NaN);
        for (int e = killSecond + 1; e <= lastSecond && e < commitsPerSecond.length; e++) {
            int from = Math.max(killSecond + 1, e - WINDOW_SECONDS + 1);
            long sum = 0;
            for (int s = from; s <= e; s++) {
                sum += commitsPerSecond[s];
            }
            ma[e] = (double) sum / (e - from + 1);
        }
        return ma;
    }

    private static int firstAfter(long[] sorted, long t) {
        int i = Arrays.binarySearch(sorted, t);
        if (i < 0) {
            return -i - 1;
        }
        while (i < sorted.length && sorted[i] <= t) {
            i++;
        }
        return i;
    }
}
