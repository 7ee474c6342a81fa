package io.cacdb.engine.mtr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.page.PageType;
import io.cacdb.engine.wal.LogRecord;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MiniTransactionTest {

    private final MapPageSource pages = new MapPageSource();
    private final ListLogSink log = new ListLogSink();

    private static PageOps.InitPage leaf(long pageNo) {
        return new PageOps.InitPage(pageNo, PageType.BTREE_LEAF, 5, 0, 0, 0, 0);
    }

    @Test
    void commitLogsLogicalRecordsFirstStampsPagesAndReleases() {
        MiniTransaction mtr = new MiniTransaction(pages, log, 77);
        PageRef a = mtr.fixNew(1);
        PageRef b = mtr.fixNew(2);
        mtr.apply(a, leaf(1));
        mtr.apply(b, leaf(2));
        mtr.apply(a, new PageOps.InsertCell(0, new byte[] {1}, new byte[] {2}));
        LogRecord.Undo undo = new LogRecord.Undo(77, 0, 5, LogRecord.UndoKind.UNDO_INSERT, new byte[] {1}, null);
        mtr.addRecord(undo); // added last, logged first
        Optional<LogSink.LsnRange> range = mtr.commit();

        assertTrue(range.isPresent());
        List<ListLogSink.LoggedMtr> logged = log.mtrs();
        assertEquals(1, logged.size());
        List<LogRecord> records = logged.getFirst().records();
        assertEquals(4, records.size());
        assertSame(undo, records.getFirst(), "the Undo record is the MTR's first, so its LSN is the start LSN");
        assertEquals(List.of(1L, 2L, 1L), records.subList(1, 4).stream()
                .map(r -> ((LogRecord.PageRedo) r).pageNo()).toList(), "page changes in the order they were made");
        records.subList(1, 4).forEach(r -> assertEquals(77, r.txnId()));
        assertEquals(range.get().endLsn(), log.endLsn());
        for (long p : List.of(1L, 2L)) {
            PageRef ref = pages.fix(p, LatchMode.SHARED);
            assertEquals(range.get().endLsn(), PageFormat.pageLsn(ref.bytes()), "pageLSN = end LSN of the MTR");
            ref.release();
        }
        assertEquals(0, pages.pinnedPages(), "commit releases every page");
    }

    @Test
    void readOnlyMtrAppendsNothing() {
        MiniTransaction setup = new MiniTransaction(pages, log);
        setup.apply(setup.fixNew(1), leaf(1));
        setup.commit();
        long end = log.endLsn();

        MiniTransaction ro = new MiniTransaction(pages, log);
        ro.fix(1, LatchMode.SHARED);
        assertEquals(Optional.empty(), ro.commit());
        assertEquals(end, log.endLsn());
        MiniTransaction abandoned = new MiniTransaction(pages, log);
        abandoned.fix(1, LatchMode.EXCLUSIVE);
        abandoned.abandon();
        assertEquals(end, log.endLsn());
        assertEquals(0, pages.pinnedPages());
    }

    @Test
    void rulesAreEnforced() {
        MiniTransaction setup = new MiniTransaction(pages, log);
        setup.apply(setup.fixNew(1), leaf(1));
        setup.apply(setup.fixNew(2), leaf(2));
        setup.commit();

        MiniTransaction mtr = new MiniTransaction(pages, log);
        PageRef shared = mtr.fix(1, LatchMode.SHARED);
        assertThrows(IllegalStateException.class, () -> mtr.apply(shared, new PageOps.DeleteCells(0, 0)),
                "an op on a SHARED page is a bug");
        assertThrows(IllegalStateException.class, () -> mtr.fix(1, LatchMode.EXCLUSIVE), "no latch upgrade");
        assertSame(shared, mtr.fix(1, LatchMode.SHARED), "fixing again returns the same ref");
        PageRef excl = mtr.fix(2, LatchMode.EXCLUSIVE);
        assertSame(excl, mtr.fix(2, LatchMode.SHARED), "an EXCLUSIVE ref serves a SHARED request");
        mtr.apply(excl, PageOps.WriteBytes.ofLong(PageFormat.SPECIAL_OFFSET, 9));
        assertThrows(IllegalStateException.class, () -> mtr.release(excl), "a changed page stays latched");
        mtr.release(shared);
        assertThrows(IllegalStateException.class, () -> mtr.addRecord(new LogRecord.PageRedo(0, 1,
                new PageOps.DeleteCell(0))));
        assertThrows(IllegalStateException.class, mtr::abandon, "a changed MTR must commit");
        mtr.commit();
        assertThrows(IllegalStateException.class, mtr::commit, "nothing after commit");
        assertEquals(0, pages.pinnedPages());
    }

    @Test
    void logicalRecordOnlyMtrIsLogged() {
        MiniTransaction mtr = new MiniTransaction(pages, log, 3);
        mtr.addRecord(new LogRecord.Commit(3, 0, 1_000));
        LogSink.LsnRange range = mtr.commit().orElseThrow();
        assertEquals(0, range.startLsn());
        assertInstanceOf(LogRecord.Commit.class, log.mtrs().getFirst().records().getFirst());
    }

    @Test
    void replayRebuildsPagesAndIsIdempotent() {
        MiniTransaction m1 = new MiniTransaction(pages, log);
        PageRef a = m1.fixNew(1);
        m1.apply(a, leaf(1));
        m1.apply(a, new PageOps.InsertCell(0, new byte[] {1}, new byte[] {1}));
        m1.commit();
        MiniTransaction m2 = new MiniTransaction(pages, log);
        PageRef a2 = m2.fix(1, LatchMode.EXCLUSIVE);
        m2.apply(a2, new PageOps.InsertCell(1, new byte[] {2}, new byte[] {2}));
        m2.commit();

        java.util.Map<Long, byte[]> replayed = new java.util.HashMap<>();
        assertEquals(3, MtrReplayer.replay(log.mtrs(), replayed));
        assertEquals(0, MtrReplayer.replay(log.mtrs(), replayed), "second replay applies nothing");
        assertTrue(java.util.Arrays.equals(pages.snapshot().get(1L), replayed.get(1L)));
    }
}
