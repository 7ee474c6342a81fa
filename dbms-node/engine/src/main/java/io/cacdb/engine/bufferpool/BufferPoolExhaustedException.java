package io.cacdb.engine.bufferpool;

/**
 * Operating error: no frame could be freed within the configured wait — every frame is pinned, or the unpinned ones
 * are dirty and could not be written in time (log not durable, storage slow), or the eviction guard forbids them
 * (a standby full of unsafe pages). Nothing was fixed. Retry later; if it persists, the pool is too small for the
 * number of pages held pinned at once, or the flusher / the active's flush watermark is falling behind.
 */
public final class BufferPoolExhaustedException extends RuntimeException {

    private final int poolFrames;
    private final int pinnedFrames;

    public BufferPoolExhaustedException(long pageNo, int poolFrames, int pinnedFrames, int dirtyFrames,
                                        long waitedMillis, String why) {
        super("no frame for page " + pageNo + " after waiting " + waitedMillis + " ms: pool of " + poolFrames
                + " frames has " + pinnedFrames + " pinned and " + dirtyFrames + " dirty (" + why
                + "); retry later, or enlarge the pool / hold fewer pages pinned");
        this.poolFrames = poolFrames;
        this.pinnedFrames = pinnedFrames;
    }

    public int poolFrames() {
        return poolFrames;
    }

    public int pinnedFrames() {
        return pinnedFrames;
    }
}
