package io.cacdb.engine.txn;

import io.cacdb.engine.wal.LogRecord;
import java.util.List;

/**
 * What a fuzzy checkpoint and a flush watermark may claim, taken without stopping transactions
 * ({@link TransactionManager#fuzzySnapshot}).
 *
 * @param stableLsn   every page change ending at or below this LSN is in storage, and every page change starting
 *                    at or above it is either in {@code dirtyPages} (recLSN at or below it) or not yet made when the
 *                    snapshot began. Always the start of an MTR (or the end of the log), so a reader can start
 *                    there. It is the checkpoint's redo start and (capped at the durable LSN) the flush watermark;
 *                    it is already lowered to the smallest recLSN in {@code dirtyPages}
 * @param retainLsn   the log below this LSN is needed neither to redo nor to undo: {@code stableLsn} lowered to the
 *                    first record of every transaction in {@code activeTxns} (a long transaction's early records
 *                    must survive truncation until it ends)
 * @param dirtyPages  the buffer pool's dirty-page table
 * @param activeTxns  every transaction that has logged a record and not yet logged its end, with its last record
 *                    and the next record to undo
 */
public record FuzzySnapshot(long stableLsn, long retainLsn, List<LogRecord.DirtyPage> dirtyPages,
                            List<LogRecord.ActiveTxn> activeTxns) {

    public FuzzySnapshot {
        dirtyPages = List.copyOf(dirtyPages);
        activeTxns = List.copyOf(activeTxns);
        if (retainLsn > stableLsn) {
            throw new IllegalArgumentException("retain LSN " + retainLsn + " above the stable LSN " + stableLsn);
        }
        for (LogRecord.DirtyPage p : dirtyPages) {
            if (p.recLsn() < stableLsn) {
                throw new IllegalArgumentException("dirty page " + p + " has recLSN below the stable LSN "
                        + stableLsn);
            }
        }
    }
}
