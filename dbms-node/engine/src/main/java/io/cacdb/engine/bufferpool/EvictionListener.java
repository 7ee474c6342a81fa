package io.cacdb.engine.bufferpool;

/**
 * Told of every page the pool evicts (drops from memory to reuse its frame), after the eviction. The standby uses it
 * to check, on every eviction, that no unsafe page ever left its pool and to keep its own page tracking exact. Called
 * under the pool's lock, on whichever thread needed the frame: it must be fast, must not block and must not call back
 * into the pool. {@link BufferPool#discard} is not an eviction and is not reported here. Thread-safe.
 */
@FunctionalInterface
public interface EvictionListener {

    /** Listens to nothing. */
    EvictionListener NONE = (pageNo, pageLsn, dirty) -> { };

    /**
     * Page {@code pageNo}, at {@code pageLsn}, left the pool; {@code dirty} means it had changes storage may not have
     * (only a read-only pool drops a dirty page, and only when its {@link EvictionGuard} allowed it).
     */
    void evicted(long pageNo, long pageLsn, boolean dirty);
}
