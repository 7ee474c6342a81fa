package io.cacdb.engine.wal;

/**
 * META block 0: the LSN of the last complete checkpoint record and its redo start. Crash recovery and takeover begin
 * analysis at {@code checkpointLsn} and redo at {@code redoStartLsn}; truncation never deletes the log block that
 * holds {@code redoStartLsn} or anything after it.
 */
public record CheckpointPointer(long checkpointLsn, long redoStartLsn) {

    public CheckpointPointer {
        if (redoStartLsn < 0 || checkpointLsn < redoStartLsn) {
            throw new IllegalArgumentException("need 0 <= redoStartLsn <= checkpointLsn, was redoStartLsn "
                    + redoStartLsn + ", checkpointLsn " + checkpointLsn);
        }
    }
}
