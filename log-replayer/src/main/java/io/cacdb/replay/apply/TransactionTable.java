package io.cacdb.replay.apply;

import io.cacdb.engine.recovery.Analysis;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LoggedRecord;
import java.util.List;

/**
 * What the standby knows about transactions and epochs from the records it applied: which transactions are in flight
 * (have logged changes but no Commit or Abort) with their last LSN and undo-next LSN — exactly the losers a takeover
 * at the current replay point must roll back — the epoch of the log at the replay point, and the last commit time.
 *
 * <p>The transaction decisions are the engine's ARIES {@link Analysis} (one table of rules, tested there), fed one
 * record at a time: Undo and Compensation records make a transaction active with its chain, Commit and Abort end it,
 * and the Checkpoint record the standby started from contributes the transactions that began before the start point.
 * So the table is exact only when replay started at a checkpoint's redo start (or LSN 0); from any other LSN,
 * transactions that began earlier are unknown ({@link #complete()} is false).
 *
 * <p>Thread-safe: the applier feeds it; takeover and metrics read snapshots.
 */
public final class TransactionTable {

    private Analysis analysis;
    private boolean complete;
    private long epoch;
    private long lastCommitMicros;
    private long commits;
    private long aborts;

    /**
     * @param checkpointLsn the checkpoint record whose table to merge (-1: none)
     * @param complete      whether replay starts where every transaction's records are ahead or in that checkpoint
     * @param epoch         the epoch owning the log at the start point
     */
    public TransactionTable(long checkpointLsn, boolean complete, long epoch) {
        reset(checkpointLsn, complete, epoch);
    }

    /** Starts over (a jump to a checkpoint). */
    public synchronized void reset(long checkpointLsn, boolean isComplete, long startEpoch) {
        this.analysis = new Analysis(checkpointLsn);
        this.complete = isComplete;
        this.epoch = startEpoch;
    }

    /** One applied record, in log order. */
    public synchronized void accept(LoggedRecord r) {
        analysis.accept(r);
        switch (r.record()) {
            case LogRecord.Commit c -> {
                commits++;
                lastCommitMicros = Math.max(lastCommitMicros, c.commitTimeMicros());
            }
            case LogRecord.Abort a -> aborts++;
            case LogRecord.EpochStart e -> {
                if (e.epoch() < epoch) {
                    throw new IllegalStateException("epoch went back in the log at LSN " + r.lsn() + ": " + epoch
                            + " -> " + e.epoch());
                }
                epoch = e.epoch();
            }
            default -> { }
        }
    }

    /** The in-flight transactions (the losers of a takeover here), by id. */
    public synchronized List<Analysis.Loser> inFlight() {
        return analysis.losers();
    }

    public synchronized int inFlightCount() {
        return analysis.losers().size();
    }

    public synchronized boolean complete() {
        return complete;
    }

    public synchronized long epoch() {
        return epoch;
    }

    /** Commit time (µs, the active's clock) of the newest Commit record applied; 0 if none. */
    public synchronized long lastCommitMicros() {
        return lastCommitMicros;
    }

    public synchronized long commits() {
        return commits;
    }

    public synchronized long aborts() {
        return aborts;
    }
}
