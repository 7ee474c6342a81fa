package io.cacdb.engine.wal;

/**
 * The in-memory log buffer stayed full for the whole bounded append wait: storage is not acknowledging log block
 * writes fast enough. Nothing of the mini-transaction was appended. What to do: fail the statement with a retryable
 * error and look at DAX write latency; the log writer itself is still running.
 */
public final class LogBufferFullException extends RuntimeException {

    public LogBufferFullException(int mtrBytes, long bufferedBytes, int capacityBytes, long waitedMillis) {
        super("log buffer full: an MTR of " + mtrBytes + " bytes did not fit (" + bufferedBytes + " of "
                + capacityBytes + " bytes buffered) after waiting " + waitedMillis
                + " ms; DAX log writes are too slow, retry later");
    }
}
