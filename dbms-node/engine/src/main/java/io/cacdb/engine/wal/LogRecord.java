package io.cacdb.engine.wal;

import io.cacdb.engine.page.PageOp;
import java.util.List;
import java.util.Objects;

/**
 * The records of the write-ahead log (format in {@code docs/wal-format.md}). Records are physiological: a
 * {@link PageRedo} names one page and an op on it. The records of one mini-transaction are contiguous in the log and
 * the last one is flagged as its end. Transaction records carry the transaction id and the LSN of the transaction's
 * previous record, which chains a transaction's records backwards for rollback.
 */
public sealed interface LogRecord permits LogRecord.PageRedo, LogRecord.Undo, LogRecord.Compensation,
        LogRecord.Commit, LogRecord.Abort, LogRecord.Checkpoint, LogRecord.FlushWatermark, LogRecord.EpochStart {

    /** Transaction id, or 0 for records that belong to no transaction. */
    default long txnId() {
        return 0;
    }

    /** A change to one page. {@code txnId} is the transaction on whose behalf it was made, 0 for system changes. */
    record PageRedo(long txnId, long pageNo, PageOp op) implements LogRecord {
        public PageRedo {
            Objects.requireNonNull(op, "op");
        }
    }

    /** What undoing a row-level change must do, logically (pages may have split since). */
    enum UndoKind {
        /** The change inserted {@code key}: undo deletes it. */
        UNDO_INSERT,
        /** The change replaced the value of {@code key}: undo restores {@code oldValue}. */
        UNDO_UPDATE,
        /** The change deleted {@code key}: undo re-inserts it with {@code oldValue}. */
        UNDO_DELETE
    }

    /**
     * Logical undo information of one row-level change, logged in the same mini-transaction as the change.
     * {@code prevLsn} is the transaction's previous record (0 if none).
     */
    record Undo(long txnId, long prevLsn, long indexId, UndoKind kind, byte[] key, byte[] oldValue)
            implements LogRecord {
        public Undo {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(key, "key");
            oldValue = oldValue == null ? new byte[0] : oldValue;
        }
    }

    /**
     * Compensation log record: the undo of the transaction's record before {@code undoNextLsn} is done (its page
     * changes are the PageRedo records of the same mini-transaction). Rollback continues at {@code undoNextLsn};
     * CLRs are never undone.
     */
    record Compensation(long txnId, long prevLsn, long undoNextLsn) implements LogRecord {
    }

    record Commit(long txnId, long prevLsn, long commitTimeMicros) implements LogRecord {
    }

    /** The end of a rollback: every change of the transaction has been compensated. */
    record Abort(long txnId, long prevLsn) implements LogRecord {
    }

    /** A dirty page and the LSN of the first change that made it dirty. */
    record DirtyPage(long pageNo, long recLsn) {
    }

    /** An active transaction at checkpoint time. */
    record ActiveTxn(long txnId, long lastLsn, long undoNextLsn) {
    }

    /**
     * Fuzzy checkpoint: the dirty-page table and the transaction table as they were when it was taken. Redo after a
     * crash starts at {@code redoStartLsn} = min(recLSN of dirty pages, this record's LSN).
     */
    record Checkpoint(long redoStartLsn, List<DirtyPage> dirtyPages, List<ActiveTxn> activeTxns) implements LogRecord {
        public Checkpoint {
            dirtyPages = List.copyOf(dirtyPages);
            activeTxns = List.copyOf(activeTxns);
        }
    }

    /**
     * Every page change that ends at or below {@code lsn} is in DAX at write quorum. The standby uses it to tell safe
     * pages (evictable without writing) from unsafe ones.
     */
    record FlushWatermark(long lsn) implements LogRecord {
    }

    /** A new active's first record: from {@code startLsn} on the log belongs to {@code epoch}. */
    record EpochStart(long epoch, long startLsn) implements LogRecord {
    }
}
