package io.cacdb.engine.bufferpool;

/** Which replacement policy a pool uses; the others exist to measure CLOCK against (see docs/bufferpool.md). */
public enum ReplacementPolicyKind {
    /**
     * Production: CLOCK with midpoint insertion — new pages on a FIFO probation segment (3/8 of the frames), pages
     * used again later promoted to a CLOCK-managed protected segment. Scan-resistant.
     */
    CLOCK,
    /** Plain CLOCK (second chance), cold insertion: one segment. */
    PLAIN_CLOCK,
    /** Evict the page loaded longest ago, whatever its use: the plain baseline. */
    FIFO
}
