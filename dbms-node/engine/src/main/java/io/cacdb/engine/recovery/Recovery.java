package io.cacdb.engine.recovery;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.mtr.LogSink;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.engine.txn.InverseChange;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.txn.TransactionManager;
import io.cacdb.engine.wal.CorruptLogException;
import io.cacdb.engine.wal.LogReader;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LoggedRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ARIES crash recovery in two phases, each logged with its duration:
 * <ol>
 *   <li><b>Analysis and redo</b>, one pass over the log from the checkpoint's redo start to the durable end found by
 *       {@code LogEnd}: every whole MTR goes through {@link Redo} (pageLSN test) and every record through
 *       {@link Analysis}. One pass because analysis must start at the redo start anyway (the checkpoint is fuzzy,
 *       see {@link Analysis}), so a separate analysis pass would read the same log twice.</li>
 *   <li><b>Undo</b> of the losers, each walked backwards along its chain from its undo-next LSN with
 *       {@link LogReader#readAt}: an {@code Undo} record is compensated by one MTR (a {@code Compensation} record
 *       whose undoNextLsn is the undone record's prevLsn, then the inverse B+tree change through the index
 *       resolver); a {@code Compensation} record is skipped to its undoNextLsn, so nothing is undone twice after a
 *       crash during rollback or during an earlier recovery. Then {@code Abort}. These records are written under
 *       the new epoch by the caller's running log writer.</li>
 * </ol>
 * Redo needs no log writer; undo does. The engine opens the writer between the two (its first MTR is the
 * {@code EpochStart}). Not thread-safe: one recovery at a time, before the node serves.
 */
public final class Recovery {

    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    /** Whole MTRs requested per reader poll during redo; the reader returns at least one MTR whatever its size. */
    static final int REDO_BATCH_RECORDS = 4096;

    /** What analysis and redo found. */
    public record RedoResult(long redoStartLsn, long endLsn, long recordsScanned, long mtrsScanned,
                             long pageChangesApplied, long pageChangesSkipped, List<Analysis.Loser> losers,
                             Duration duration) {
        public RedoResult {
            losers = List.copyOf(losers);
        }
    }

    /** What undo did. */
    public record UndoResult(int losersRolledBack, long compensations, Duration duration) {
    }

    /** The whole recovery, for the engine's open report. */
    public record Report(RedoResult redo, UndoResult undo) {
    }

    private Recovery() {
    }

    /**
     * Analysis and redo from the reader's position (the redo start) up to {@code endLsn} (an MTR boundary: the
     * durable end of the log). {@code checkpointLsn} is the checkpoint record whose transaction table to merge
     * (-1: none).
     *
     * @throws CorruptLogException if the log ends before {@code endLsn}
     */
    public static RedoResult analyseAndRedo(LogReader reader, long checkpointLsn, long endLsn, PageSource pages) {
        long started = System.nanoTime();
        long redoStart = reader.nextLsn();
        Analysis analysis = new Analysis(checkpointLsn);
        Redo redo = new Redo(pages);
        List<LoggedRecord> mtr = new ArrayList<>();
        long mtrs = 0;
        while (reader.nextLsn() < endLsn) {
            List<LoggedRecord> batch = reader.pollMtrs(REDO_BATCH_RECORDS);
            if (batch.isEmpty()) {
                throw new CorruptLogException(reader.nextLsn(), "the log ends at LSN " + reader.nextLsn()
                        + " during redo, before the durable end " + endLsn + " found at open");
            }
            for (LoggedRecord r : batch) {
                if (r.lsn() >= endLsn) {
                    break;
                }
                analysis.accept(r);
                mtr.add(r);
                if (r.mtrEnd()) {
                    redo.apply(mtr);
                    mtrs++;
                    mtr.clear();
                }
            }
        }
        if (!mtr.isEmpty()) {
            throw new IllegalStateException("redo stopped inside an MTR at LSN " + mtr.getFirst().lsn()
                    + "; the end " + endLsn + " is not an MTR boundary");
        }
        if (checkpointLsn >= 0 && !analysis.checkpointMerged()) {
            throw new CorruptLogException(checkpointLsn, "the checkpoint record the META pointer names was not"
                    + " found between the redo start " + redoStart + " and the end " + endLsn);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        RedoResult result = new RedoResult(redoStart, endLsn, analysis.recordsScanned(), mtrs,
                redo.pageChangesApplied(), redo.pageChangesSkipped(), analysis.losers(), took);
        log.info("recovery analysis+redo: LSN {} to {}, {} records in {} MTRs, {} page changes redone, {} already"
                        + " on the page, {} loser transactions, {} ms", redoStart, endLsn, result.recordsScanned(),
                mtrs, result.pageChangesApplied(), result.pageChangesSkipped(), result.losers().size(),
                took.toMillis());
        return result;
    }

    /**
     * Rolls back {@code losers}, writing CLRs and an Abort for each through {@code txns} (which must accept MTRs:
     * RECOVERING or SERVING). {@code chain} reads the losers' records by LSN.
     */
    public static UndoResult undo(List<Analysis.Loser> losers, LogReader chain, TransactionManager txns,
                                  Transaction.IndexResolver indexes) {
        Objects.requireNonNull(indexes, "indexes");
        long started = System.nanoTime();
        long compensations = 0;
        for (Analysis.Loser loser : losers) {
            compensations += rollBackLoser(loser, chain, txns, indexes);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        log.info("recovery undo: {} loser transactions rolled back with {} compensations, {} ms", losers.size(),
                compensations, took.toMillis());
        return new UndoResult(losers.size(), compensations, took);
    }

    private static long rollBackLoser(Analysis.Loser loser, LogReader chain, TransactionManager txns,
                                      Transaction.IndexResolver indexes) {
        long txnId = loser.txnId();
        long lastLsn = loser.lastLsn();
        long next = loser.undoNextLsn();
        long compensations = 0;
        while (next != 0) {
            long at = next;
            LoggedRecord r = chain.readAt(at).orElseThrow(() -> new CorruptLogException(at,
                    "record " + at + " of loser transaction " + txnId + " is not readable; was the log truncated"
                            + " past an active transaction?"));
            if (r.record().txnId() != txnId) {
                throw new CorruptLogException(at, "undo chain of transaction " + txnId + " reached a record of "
                        + "transaction " + r.record().txnId() + ": " + r.record().getClass().getSimpleName());
            }
            switch (r.record()) {
                case LogRecord.Undo u -> {
                    BTree tree = indexes.tree(u.indexId());
                    long prev = lastLsn;
                    LogSink.LsnRange range = txns.runMtr(txnId, mtr -> {
                        InverseChange.apply(mtr, tree, u.kind(), u.key(), u.oldValue());
                        mtr.addRecord(new LogRecord.Compensation(txnId, prev, u.prevLsn()));
                        return null;
                    }, null).range().orElseThrow();
                    lastLsn = range.startLsn();
                    next = u.prevLsn();
                    compensations++;
                }
                case LogRecord.Compensation c -> next = c.undoNextLsn();
                default -> throw new CorruptLogException(at, "undo chain of transaction " + txnId + " reached a "
                        + r.record().getClass().getSimpleName() + " record");
            }
        }
        long prev = lastLsn;
        txns.runMtr(txnId, mtr -> {
            mtr.addRecord(new LogRecord.Abort(txnId, prev));
            return null;
        }, null);
        return compensations;
    }
}
