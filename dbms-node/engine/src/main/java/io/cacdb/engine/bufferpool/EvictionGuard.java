package io.cacdb.engine.bufferpool;

/**
 * Decides whether the pool may drop a page from memory. The standby uses it to keep pages it changed by replay that
 * the active has not yet flushed (its "unsafe" pages, DESIGN §6): {@code canEvict} is true once {@code pageLsn} is
 * below the latest flush watermark. Called under the pool's lock for every eviction candidate, so it must be fast,
 * must not block and must not call back into the pool. Thread-safe.
 */
@FunctionalInterface
public interface EvictionGuard {

    /** A guard that allows every eviction: the active's pool, which writes dirty pages before it drops them. */
    EvictionGuard ALLOW_ALL = (pageNo, pageLsn) -> true;

    /**
     * Whether page {@code pageNo}, whose current pageLSN is {@code pageLsn}, may leave memory. In a read-only pool a
     * dirty page for which this is true is dropped without being written.
     */
    boolean canEvict(long pageNo, long pageLsn);
}
