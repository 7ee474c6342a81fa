package io.cacdb.engine.wal;

/**
 * Storage did not answer a log block read (timeout, no replica reachable). Not corruption and not the end of the
 * log: what to do is retry the same read later; the reader's position is unchanged.
 */
public final class LogReadFailedException extends RuntimeException {

    public LogReadFailedException(long blockNo, Throwable cause) {
        super("reading log block " + blockNo + " failed; retry", cause);
    }
}
