package io.cacdb.replay;

import io.cacdb.engine.recovery.Analysis;
import java.time.Duration;
import java.util.List;

/**
 * The standby replayed exactly up to {@code endLsn}.
 *
 * @param endLsn   the end given, now the replayed LSN
 * @param losers   the transactions in flight at {@code endLsn} (no Commit or Abort): what takeover rolls back with
 *                 {@code Recovery.undo}, by id
 * @param epoch    the epoch that owns the log at {@code endLsn}
 * @param duration how long the catch-up took (from the call to the last MTR)
 */
public record CatchUp(long endLsn, List<Analysis.Loser> losers, long epoch, Duration duration) {
    public CatchUp {
        losers = List.copyOf(losers);
    }
}
