package io.cacdb.replay.policy;

/**
 * What keeps a slow standby from being lost (DESIGN §6, CAC-DB's three remedies). The standby side of each policy:
 * <ul>
 *   <li>{@link #INCREASE_READ_IO} (default): the prefetcher's in-flight page reads rise with the replay lag
 *       ({@code ReadIoController}); the standby's replayed LSN is still published as the active's retention floor,
 *       so the {@code active-wait} budget stays as a backstop and the standby is never lost;</li>
 *   <li>{@link #ACTIVE_WAIT}: a fixed read-IO limit; the standby only publishes its replayed LSN, and the active keeps
 *       every log block at or above it (its log budget then makes new commits wait for the standby);</li>
 *   <li>{@link #UNSAFE_EVICTION}: a fixed read-IO limit and no retention floor; a standby that finds its next log
 *       block truncated away jumps to the latest checkpoint, drops every unsafe (and every stale) page, and goes on
 *       with a colder pool.</li>
 * </ul>
 */
public enum SlowStandbyPolicy {
    INCREASE_READ_IO,
    ACTIVE_WAIT,
    UNSAFE_EVICTION;

    /** Whether the read-IO limit follows the lag (only {@link #INCREASE_READ_IO}). */
    public boolean adaptsReadIo() {
        return this == INCREASE_READ_IO;
    }

    /** Whether the active must keep the log this standby has not replayed yet. */
    public boolean holdsLog() {
        return this != UNSAFE_EVICTION;
    }

    /** Whether a truncated next block is answered by jumping to the latest checkpoint (otherwise it is fatal). */
    public boolean jumpsOnTruncation() {
        return this == UNSAFE_EVICTION;
    }
}
