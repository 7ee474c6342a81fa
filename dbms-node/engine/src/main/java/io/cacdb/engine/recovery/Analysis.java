package io.cacdb.engine.recovery;

import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LoggedRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ARIES analysis, fed record by record: which transactions have logged records but no end (Commit or Abort) — the
 * losers recovery must roll back — with each one's last record and the next record to undo.
 *
 * <p>It must be fed from the checkpoint's <b>redo start</b>, not from the checkpoint record: the checkpoint is fuzzy,
 * and a transaction in its transaction table may have ended between the table snapshot and the checkpoint record
 * (see {@code docs/recovery.md}). So the table of the checkpoint record at {@code checkpointLsn} is merged when the
 * scan reaches it, only for transactions the scan has not seen yet (neither active nor ended); records after it
 * update the table as usual. Every transaction the checkpoint's table does not list has all its records at or
 * after the redo start, so the scan sees them.
 *
 * <p>Also usable incrementally by the standby's replayer (feed every record it applies). Not thread-safe.
 */
public final class Analysis {

    /** A transaction with no end record: what undo needs to roll it back. */
    public record Loser(long txnId, long lastLsn, long undoNextLsn) {
    }

    private final long checkpointLsn;
    private final Map<Long, Loser> active = new HashMap<>();
    private Set<Long> ended = new HashSet<>();
    private boolean checkpointMerged;
    private long recordsScanned;

    /** @param checkpointLsn the LSN of the checkpoint record whose table to merge, or -1 if there is none */
    public Analysis(long checkpointLsn) {
        this.checkpointLsn = checkpointLsn;
        if (checkpointLsn < 0) {
            // No checkpoint table to merge, so ends need not be remembered: a standby fed for days stays bounded.
            ended = null;
        }
    }

    public void accept(LoggedRecord r) {
        recordsScanned++;
        switch (r.record()) {
            case LogRecord.Undo u -> active.put(u.txnId(), new Loser(u.txnId(), r.lsn(), r.lsn()));
            case LogRecord.Compensation c -> active.put(c.txnId(), new Loser(c.txnId(), r.lsn(), c.undoNextLsn()));
            case LogRecord.Commit c -> end(c.txnId());
            case LogRecord.Abort a -> end(a.txnId());
            case LogRecord.Checkpoint cp -> {
                if (r.lsn() == checkpointLsn) {
                    merge(cp);
                }
            }
            case LogRecord.PageRedo p -> { }
            case LogRecord.FlushWatermark w -> { }
            case LogRecord.EpochStart e -> { }
        }
    }

    private void end(long txnId) {
        active.remove(txnId);
        if (ended != null) {
            ended.add(txnId);
        }
    }

    private void merge(LogRecord.Checkpoint cp) {
        for (LogRecord.ActiveTxn t : cp.activeTxns()) {
            if (ended.contains(t.txnId())) {
                continue;
            }
            Loser seen = active.get(t.txnId());
            if (seen == null || seen.lastLsn() < t.lastLsn()) {
                active.put(t.txnId(), new Loser(t.txnId(), t.lastLsn(), t.undoNextLsn()));
            }
        }
        checkpointMerged = true;
        // Ends are only needed to keep the checkpoint's table from resurrecting them; after the merge, forget.
        ended = null;
    }

    /** The transactions without an end record so far, by id. */
    public List<Loser> losers() {
        List<Loser> out = new ArrayList<>(active.values());
        out.sort(Comparator.comparingLong(Loser::txnId));
        return out;
    }

    public boolean checkpointMerged() {
        return checkpointMerged;
    }

    public long recordsScanned() {
        return recordsScanned;
    }
}
