package io.cacdb.engine.wal;

/**
 * The log writer has stopped — a block write failed (typically a stale epoch: another node fenced this one) or it was
 * closed — so nothing above {@link #durableLsn()} will ever become durable through it. Waiters above that LSN and
 * every later append get this. What to do: a commit waiting on it is NOT acknowledged (its outcome is decided by
 * whoever recovers the log); the node stops serving as active.
 */
public final class LogWriterStoppedException extends RuntimeException {

    private final long durableLsn;

    public LogWriterStoppedException(long durableLsn, String why, Throwable cause) {
        super("log writer stopped at durable LSN " + durableLsn + ": " + why, cause);
        this.durableLsn = durableLsn;
    }

    /** The durable LSN when the writer stopped; everything below it is durable, nothing above is promised. */
    public long durableLsn() {
        return durableLsn;
    }
}
