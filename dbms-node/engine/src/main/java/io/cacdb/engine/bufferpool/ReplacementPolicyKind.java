package io.cacdb.engine.bufferpool;

/** Which replacement policy a pool uses; FIFO exists to measure CLOCK against (see docs/bufferpool.md). */
public enum ReplacementPolicyKind {
    /** CLOCK (second chance) with cold insertion: a page survives a sweep only if it was used again after loading. */
    CLOCK,
    /** Evict the page loaded longest ago, whatever its use: the plain baseline. */
    FIFO
}
