package io.cacdb.replay;

import java.time.Duration;

/**
 * {@code catchUpTo(end)} did not reach the end in time (storage slow or unreachable). The replayer stays FINISHING
 * and keeps replaying; the caller may wait again with another {@code catchUpTo(end)} or close it.
 */
public final class CatchUpTimeoutException extends RuntimeException {

    private final long replayedLsn;

    public CatchUpTimeoutException(long replayedLsn, long endLsn, Duration timeout) {
        super("replayed up to LSN " + replayedLsn + " of " + endLsn + " within " + timeout);
        this.replayedLsn = replayedLsn;
    }

    public long replayedLsn() {
        return replayedLsn;
    }
}
