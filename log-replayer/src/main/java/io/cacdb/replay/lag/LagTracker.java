package io.cacdb.replay.lag;

import io.micrometer.core.instrument.Clock;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Replay lag in bytes and in milliseconds.
 *
 * <h2>Milliseconds: time since first seen, on the standby's own clock</h2>
 * Each time the tailer learns that the log reaches further — it read records up to {@code lsn}, or probed a later
 * block — it records a marker {@code (lsn, now)} (monotonic clock). The lag in milliseconds is the age of the oldest
 * marker whose LSN the standby has not replayed yet, 0 if it has replayed them all. So it measures how long the
 * standby has known of bytes it has not applied: no clock skew between nodes (commit timestamps are the active's wall
 * clock) and a standby idle on an idle log has lag 0. It does not include the time between the active's write and
 * the tailer's next poll (bounded by the poll interval) — the commit timestamps of applied Commit records are exported
 * separately ({@code cacdb.replay.last_commit.timestamp}) for cross-checks.
 *
 * <h2>Bounds</h2>
 * At most {@link #MARKERS_MAX} markers; when full, the newest marker's LSN is raised instead of adding one, which keeps
 * its older time — the lag can only be over-estimated, never under-estimated. Thread-safe.
 */
public final class LagTracker {

    /** 4096 markers: at one per tailer poll (≥ 1 ms apart) that is ≥ 4 s of history at full resolution. */
    public static final int MARKERS_MAX = 4096;

    private record Marker(long lsn, long seenNanos) {
    }

    private final Clock clock;
    private final ArrayDeque<Marker> markers = new ArrayDeque<>();
    private long tailLsn;
    private long replayedLsn;

    public LagTracker(Clock clock, long startLsn) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tailLsn = startLsn;
        this.replayedLsn = startLsn;
    }

    /** The log is known to reach at least {@code lsn} now. */
    public synchronized void observeEnd(long lsn) {
        if (lsn <= tailLsn) {
            return;
        }
        tailLsn = lsn;
        if (markers.size() >= MARKERS_MAX) {
            Marker last = markers.pollLast();
            markers.addLast(new Marker(lsn, last.seenNanos()));
        } else {
            markers.addLast(new Marker(lsn, clock.monotonicTime()));
        }
    }

    /** Everything below {@code lsn} is applied. */
    public synchronized void replayed(long lsn) {
        if (lsn < replayedLsn) {
            throw new IllegalStateException("replayed LSN must not go back: " + replayedLsn + " -> " + lsn);
        }
        replayedLsn = lsn;
        while (!markers.isEmpty() && markers.peekFirst().lsn() <= lsn) {
            markers.pollFirst();
        }
        if (lsn > tailLsn) {
            tailLsn = lsn;
        }
    }

    /** A jump to a checkpoint: replay restarts at {@code lsn}, ahead of everything applied so far. */
    public synchronized void restartAt(long lsn) {
        replayed(lsn);
    }

    public synchronized ReplayLag lag() {
        long millis = markers.isEmpty() ? 0
                : TimeUnit.NANOSECONDS.toMillis(Math.max(0, clock.monotonicTime() - markers.peekFirst().seenNanos()));
        return new ReplayLag(replayedLsn, tailLsn, Math.max(0, tailLsn - replayedLsn), millis);
    }

    public synchronized long tailLsn() {
        return tailLsn;
    }
}
