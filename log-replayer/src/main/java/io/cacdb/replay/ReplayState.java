package io.cacdb.replay;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The lifecycle of a {@link StandbyReplayer}; {@link #canMoveTo} is the table of legal transitions, checked on every
 * change.
 *
 * <pre>
 *   NEW ─start─▶ STARTING ─▶ TAILING ─(lag ≤ caught-up)─▶ CAUGHT_UP ◀─▶ LAGGING
 *                               ▲                             │            │
 *                               └──── checkpoint jump ◀───────┴────────────┘
 *   TAILING | CAUGHT_UP | LAGGING ─catchUpTo─▶ FINISHING ─▶ FINISHED ─handOver─▶ HANDED_OVER
 *   any but HANDED_OVER ─close─▶ STOPPED;   any running state ─error─▶ FAILED
 * </pre>
 */
public enum ReplayState {
    /** Built, not started. */
    NEW,
    /** Reading META (epoch history, checkpoint pointer) and starting the threads. */
    STARTING,
    /** Replaying towards the end of the log for the first time since the start or a checkpoint jump. */
    TAILING,
    /** Lag within {@code caughtUpLagBytes}. */
    CAUGHT_UP,
    /** Was caught up; lag above {@code laggingLagBytes} now. */
    LAGGING,
    /** {@code catchUpTo(end)} in progress: replaying up to a fixed end, nothing beyond. */
    FINISHING,
    /** Replayed exactly up to the takeover's end; threads stopped; the pool and the losers wait for takeover. */
    FINISHED,
    /** The pool was handed to the new active. Terminal. */
    HANDED_OVER,
    /** Closed. Terminal. */
    STOPPED,
    /** Stopped by an error ({@code StandbyReplayer.failure()}); only {@code close} is left. */
    FAILED;

    private static final Map<ReplayState, Set<ReplayState>> LEGAL = new EnumMap<>(ReplayState.class);

    static {
        LEGAL.put(NEW, EnumSet.of(STARTING, STOPPED));
        LEGAL.put(STARTING, EnumSet.of(TAILING, FAILED, STOPPED));
        LEGAL.put(TAILING, EnumSet.of(CAUGHT_UP, FINISHING, FAILED, STOPPED));
        LEGAL.put(CAUGHT_UP, EnumSet.of(LAGGING, TAILING, FINISHING, FAILED, STOPPED));
        LEGAL.put(LAGGING, EnumSet.of(CAUGHT_UP, TAILING, FINISHING, FAILED, STOPPED));
        LEGAL.put(FINISHING, EnumSet.of(FINISHED, FAILED, STOPPED));
        LEGAL.put(FINISHED, EnumSet.of(HANDED_OVER, STOPPED));
        LEGAL.put(HANDED_OVER, EnumSet.noneOf(ReplayState.class));
        LEGAL.put(STOPPED, EnumSet.noneOf(ReplayState.class));
        LEGAL.put(FAILED, EnumSet.of(STOPPED));
    }

    public boolean canMoveTo(ReplayState next) {
        return LEGAL.get(this).contains(next);
    }

    /** Whether the pipeline threads run in this state. */
    public boolean isReplaying() {
        return this == TAILING || this == CAUGHT_UP || this == LAGGING || this == FINISHING;
    }

    public boolean isTerminal() {
        return this == HANDED_OVER || this == STOPPED;
    }
}
