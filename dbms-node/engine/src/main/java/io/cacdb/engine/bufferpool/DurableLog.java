package io.cacdb.engine.bufferpool;

import java.util.concurrent.CompletableFuture;

/**
 * What the buffer pool needs from the write-ahead log to keep the WAL rule: how far the log is durable at write
 * quorum, and a way to wait until it is durable far enough. The WAL's log writer implements it. Thread-safe.
 */
public interface DurableLog {

    /** The end of the longest prefix of the log acknowledged at write quorum; never moves back. */
    long durableLsn();

    /**
     * Completes once {@link #durableLsn()} {@code >= lsn}, at once if it already is. Asking may prompt the log writer
     * to flush (a page write is a reason to write the log). The future may complete on the log writer's thread, so
     * callers must not block in its callbacks.
     */
    CompletableFuture<Void> awaitDurable(long lsn);
}
