package io.cacdb.engine.bufferpool;

/**
 * Operating error: {@link BufferPool#flushAll} could not get every page written in time — the log did not become
 * durable, storage failed (for example the volume was fenced), or the IO queue was full. Pages that were not
 * written stay dirty and keep their recLSN, so nothing is lost; the caller may retry, or must stop writing if the
 * cause says this node was fenced.
 */
public final class PageFlushException extends RuntimeException {

    public PageFlushException(String what, Throwable cause) {
        super(what, cause);
    }
}
