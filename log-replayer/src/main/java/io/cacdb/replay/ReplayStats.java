package io.cacdb.replay;

/**
 * Counters of a replayer since it started (also exported as Micrometer meters {@code cacdb.replay.*}).
 *
 * @param mtrsApplied           MTRs applied
 * @param pageChangesApplied    (page, MTR) pairs redone
 * @param pageChangesSkipped    (page, MTR) pairs skipped by the pageLSN test
 * @param polls                 tailer polls; {@code emptyPolls} of them found nothing new
 * @param emptyPolls            polls that found nothing new ("not yet")
 * @param readFailures          log reads storage did not answer (retried)
 * @param prefetchRequests      prefetches handed to the pool; {@code prefetchFailures} failed (no frame, not found...)
 * @param prefetchFailures      prefetches that failed
 * @param prefetchesDropped     pages not prefetched (queue full, or the pool nearly all unsafe)
 * @param readIoLimit           the REPLAY_READ in-flight limit now
 * @param readIoLimitPeak       the highest limit set so far
 * @param evictions             pages the pool evicted
 * @param dirtyEvictions        of which replayed (dirty) pages, safe by the flush watermark
 * @param guardRefusals         eviction candidates refused because unsafe
 * @param unsafeEvictions       unsafe pages evicted — an invariant failure; always 0
 * @param frameWaits            MTRs that found every frame unsafe or pinned and waited for a watermark
 * @param checkpointJumps       checkpoint jumps ({@code unsafe-eviction})
 * @param pagesDroppedByJumps   pages dropped by those jumps
 * @param optimisticReads       page reads the pageLSN list turned from quorum into {@code AT_LEAST}
 * @param quorumReads           page reads left at quorum
 */
public record ReplayStats(long mtrsApplied, long pageChangesApplied, long pageChangesSkipped, long polls,
                          long emptyPolls, long readFailures, long prefetchRequests, long prefetchFailures,
                          long prefetchesDropped, int readIoLimit, int readIoLimitPeak, long evictions,
                          long dirtyEvictions, long guardRefusals, long unsafeEvictions, long frameWaits,
                          long checkpointJumps, long pagesDroppedByJumps, long optimisticReads, long quorumReads) {
}
