package io.cacdb.engine.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LoggedRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Analysis decisions, one test per row: which transactions are losers and where their undo resumes. */
class AnalysisTest {

    private long lsn = 100;

    private LoggedRecord rec(LogRecord r) {
        LoggedRecord out = new LoggedRecord(lsn, lsn + 10, r, true);
        lsn += 10;
        return out;
    }

    private static LogRecord.Undo undo(long txn, long prev) {
        return new LogRecord.Undo(txn, prev, 5, LogRecord.UndoKind.UNDO_INSERT, new byte[] {1}, null);
    }

    @Test
    void aTransactionWithChangesAndNoEndIsALoserResumingAtItsLastChange() {
        Analysis a = new Analysis(-1);
        a.accept(rec(undo(7, 0)));
        LoggedRecord second = rec(undo(7, 100));
        a.accept(second);
        assertEquals(List.of(new Analysis.Loser(7, second.lsn(), second.lsn())), a.losers());
    }

    @Test
    void committedAndAbortedTransactionsAreNotLosers() {
        Analysis a = new Analysis(-1);
        a.accept(rec(undo(7, 0)));
        a.accept(rec(new LogRecord.Commit(7, 100, 0)));
        a.accept(rec(undo(8, 0)));
        a.accept(rec(new LogRecord.Abort(8, 120)));
        assertEquals(List.of(), a.losers());
    }

    @Test
    void aCompensationMovesTheUndoPointToItsUndoNext() {
        Analysis a = new Analysis(-1);
        a.accept(rec(undo(7, 0)));
        a.accept(rec(undo(7, 100)));
        LoggedRecord clr = rec(new LogRecord.Compensation(7, 110, 100));
        a.accept(clr);
        assertEquals(List.of(new Analysis.Loser(7, clr.lsn(), 100)), a.losers());
    }

    @Test
    void aTransactionKnownOnlyFromTheCheckpointTableIsALoser() {
        long checkpointLsn = lsn;
        Analysis a = new Analysis(checkpointLsn);
        a.accept(rec(new LogRecord.Checkpoint(50, List.of(), List.of(new LogRecord.ActiveTxn(9, 60, 40)))));
        assertEquals(List.of(new Analysis.Loser(9, 60, 40)), a.losers());
    }

    @Test
    void aTransactionThatEndedBeforeTheCheckpointRecordIsNotResurrectedByItsTable() {
        Analysis a = new Analysis(120);
        a.accept(rec(undo(9, 0)));                          // 100
        a.accept(rec(new LogRecord.Commit(9, 100, 0)));     // 110: ended after the table snapshot
        a.accept(rec(new LogRecord.Checkpoint(100, List.of(), List.of(new LogRecord.ActiveTxn(9, 100, 100)))));
        assertEquals(List.of(), a.losers());
    }

    @Test
    void recordsAfterTheCheckpointUpdateATransactionFromItsTable() {
        Analysis a = new Analysis(100);
        a.accept(rec(new LogRecord.Checkpoint(50, List.of(), List.of(new LogRecord.ActiveTxn(9, 60, 60)))));
        LoggedRecord later = rec(undo(9, 60));
        a.accept(later);
        assertEquals(List.of(new Analysis.Loser(9, later.lsn(), later.lsn())), a.losers());
        a.accept(rec(new LogRecord.Abort(9, later.lsn())));
        assertEquals(List.of(), a.losers());
    }

    @Test
    void onlyTheNamedCheckpointRecordIsMerged() {
        Analysis a = new Analysis(999);
        a.accept(rec(new LogRecord.Checkpoint(50, List.of(), List.of(new LogRecord.ActiveTxn(9, 60, 60)))));
        assertEquals(List.of(), a.losers());
        assertEquals(false, a.checkpointMerged());
    }
}
