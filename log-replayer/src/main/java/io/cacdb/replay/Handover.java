package io.cacdb.replay;

import io.cacdb.engine.bufferpool.BufferPool;
import io.cacdb.engine.recovery.Analysis;
import java.util.List;

/**
 * What a standby hands to the takeover: its warm pool — still read-only; the new active gives it a write path with
 * {@link BufferPool#attachWritePath} once its log writer runs, and from then on owns (and closes) it; replayed dirty
 * pages keep their recLSNs and get flushed — the end of log it replayed to, and the losers to undo.
 */
public record Handover(BufferPool pool, long endLsn, List<Analysis.Loser> losers, long epoch) {
    public Handover {
        losers = List.copyOf(losers);
    }
}
