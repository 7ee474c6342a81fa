package io.cacdb.replay;

/**
 * {@code catchUpTo(end)} was asked for an end below what the standby already applied: the standby read log bytes of
 * the old active that the end found at takeover does not include (written to fewer than W replicas, seen by a read
 * quorum). Its pool holds changes that are not part of the log the new active continues, so it cannot be handed over
 * at that end. The takeover should continue the log from {@link #replayedLsn()} instead (making those bytes part of
 * the log), or recover cold. Found before catch-up starts, nothing changes and the replayer keeps running; found at
 * its end (an MTR beyond the end was being applied when the limit was set), the replayer is FAILED.
 */
public final class ReplayedBeyondEndException extends RuntimeException {

    private final long replayedLsn;
    private final long endLsn;

    public ReplayedBeyondEndException(long replayedLsn, long endLsn) {
        super("the standby already replayed up to LSN " + replayedLsn + ", beyond the end of log " + endLsn
                + " it was asked to catch up to");
        this.replayedLsn = replayedLsn;
        this.endLsn = endLsn;
    }

    public long replayedLsn() {
        return replayedLsn;
    }

    public long endLsn() {
        return endLsn;
    }
}
