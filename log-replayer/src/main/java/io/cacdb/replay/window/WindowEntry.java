package io.cacdb.replay.window;

import io.cacdb.engine.wal.CheckpointPointer;
import io.cacdb.engine.wal.LoggedRecord;
import java.util.List;

/** What the tailer hands the applier through the {@link ParseAheadWindow}, in log order. */
public sealed interface WindowEntry permits WindowEntry.ParsedMtr, WindowEntry.Jump {

    /** Log bytes this entry stands for (what the window's byte limit counts). */
    long bytes();

    /**
     * One whole mini-transaction as read from the log: its records (the last ends the MTR), its range, and the pages
     * its {@code PageRedo} records change, each once, in first-touch order.
     *
     * @param initialisedPages pages whose first op in this MTR is {@code InitPage} (no read needed to redo them)
     */
    record ParsedMtr(List<LoggedRecord> records, long startLsn, long endLsn, long[] pages, long[] initialisedPages)
            implements WindowEntry {
        public ParsedMtr {
            records = List.copyOf(records);
            if (records.isEmpty() || !records.getLast().mtrEnd() || endLsn <= startLsn) {
                throw new IllegalArgumentException("a parsed MTR is whole records ending its MTR, [" + startLsn + ", "
                        + endLsn + ")");
            }
        }

        @Override
        public long bytes() {
            return endLsn - startLsn;
        }
    }

    /**
     * The tailer found its next log block truncated away ({@code unsafe-eviction}): replay continues at the latest
     * checkpoint's redo start; everything before this entry in the window is applied first.
     */
    record Jump(CheckpointPointer checkpoint, long truncatedAtLsn) implements WindowEntry {
        @Override
        public long bytes() {
            return 0;
        }
    }
}
