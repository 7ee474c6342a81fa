package io.cacdb.engine.btree;

import io.cacdb.engine.error.RowTooLargeException;
import io.cacdb.engine.error.DuplicateKeyException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.MiniTransaction;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.page.SlottedPage;
import io.cacdb.engine.space.PageAllocator;
import io.cacdb.engine.space.SpaceHeader;
import io.cacdb.engine.wal.LogRecord;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BTreeTest {

    private final TreeFixture f = new TreeFixture();

    private static byte[] k(int i) {
        return new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
    }

    @Test
    void duplicateInsertIsRefusedAndChangesNothing() {
        BTree t = f.create(1);
        assertTrue(f.insert(t, k(1), new byte[] {1}));
        long end = f.log.endLsn();
        MiniTransaction m = f.mtr();
        DuplicateKeyException e = assertThrows(DuplicateKeyException.class, () -> t.insert(m, k(1), new byte[] {2}));
        assertEquals(1, e.indexId());
        assertArrayEquals(k(1), e.key());
        assertFalse(m.hasChanges());
        m.abandon();
        assertEquals(end, f.log.endLsn(), "nothing logged");
        assertArrayEquals(new byte[] {1}, t.get(k(1)));
    }

    @Test
    void overLimitKeysAndRowsAreRefusedBeforeAnyChange() {
        BTree t = f.create(1);
        MiniTransaction m = f.mtr();
        assertThrows(RowTooLargeException.class, () -> t.insert(m, new byte[SlottedPage.MAX_KEY_BYTES + 1], new byte[0]));
        assertThrows(RowTooLargeException.class,
                () -> t.insert(m, k(1), new byte[SlottedPage.MAX_KEY_AND_VALUE_BYTES - 3]));
        assertThrows(RowTooLargeException.class,
                () -> t.update(m, k(1), new byte[SlottedPage.MAX_KEY_AND_VALUE_BYTES]));
        assertEquals(0, m.fixedCount());
        m.abandon();
        assertTrue(f.insert(t, new byte[SlottedPage.MAX_KEY_BYTES], new byte[SlottedPage.MAX_KEY_AND_VALUE_BYTES
                - SlottedPage.MAX_KEY_BYTES]), "exactly at the limits is fine");
        t.validate();
    }

    @Test
    void theRootPageNumberNeverChanges() {
        BTree t = f.create(5);
        long root = t.rootPageNo();
        TreeMap<byte[], byte[]> model = TreeFixture.newModel();
        for (int i = 0; i < 3000; i++) {
            byte[] v = new byte[200];
            f.insert(t, k(i), v);
            model.put(k(i), v);
        }
        assertTrue(t.validate().height() >= 2);
        BTree reopened = new BTree(f.pages, 5, root);
        assertEquals(3000, reopened.validate().keyCount());
        for (int i = 0; i < 3000; i++) {
            f.delete(t, k(i));
        }
        assertEquals(1, t.validate().height());
        assertEquals(root, t.rootPageNo());
    }

    @Test
    void sequentialInsertsFillPagesAlmostCompletely() {
        BTree t = f.create(5);
        for (int i = 0; i < 5000; i++) {
            f.insert(t, k(i), new byte[100]);
        }
        TreeStats s = t.validate();
        long bytes = 5000L * (SlottedPage.cellBytes(4, 100) + SlottedPage.SLOT_BYTES);
        long minLeaves = (bytes + SlottedPage.USABLE_BYTES - 1) / SlottedPage.USABLE_BYTES;
        assertTrue(s.leafPages() <= minLeaves + 1, "ascending inserts leave leaves full: " + s.leafPages()
                + " leaves for " + minLeaves + " pages of data");
    }

    @Test
    void cursorBoundsAndDirections() {
        BTree t = f.create(5);
        TreeMap<byte[], byte[]> model = TreeFixture.newModel();
        for (int i = 0; i < 2000; i += 2) {
            byte[] v = new byte[i % 300];
            f.insert(t, k(i), v);
            model.put(k(i), v);
        }
        for (boolean asc : new boolean[] {true, false}) {
            TreeFixture.assertScanEquals(t, KeyRange.all(), asc, model, Integer.MAX_VALUE);
            TreeFixture.assertScanEquals(t, KeyRange.closed(k(100), k(900)), asc, model, Integer.MAX_VALUE);
            TreeFixture.assertScanEquals(t, KeyRange.halfOpen(k(101), k(901)), asc, model, Integer.MAX_VALUE);
            TreeFixture.assertScanEquals(t, new KeyRange(k(100), false, k(900), false), asc, model, Integer.MAX_VALUE);
            TreeFixture.assertScanEquals(t, new KeyRange(null, false, k(0), true), asc, model, Integer.MAX_VALUE);
            TreeFixture.assertScanEquals(t, new KeyRange(k(1998), true, null, false), asc, model, Integer.MAX_VALUE);
            assertFalse(t.cursor(new KeyRange(k(5000), true, null, false), asc).next());
            assertFalse(t.cursor(new KeyRange(k(3), true, k(3), true), asc).next());
        }
        BTreeCursor c = t.cursor(KeyRange.all(), true);
        assertThrows(IllegalStateException.class, c::key);
    }

    @Test
    void aCursorSurvivesChangesBetweenCalls() {
        BTree t = f.create(5);
        for (int i = 0; i < 3000; i++) {
            f.insert(t, k(i), new byte[150]);
        }
        BTreeCursor up = t.cursor(KeyRange.all(), true);
        BTreeCursor down = t.cursor(KeyRange.all(), false);
        int seenUp = 0;
        int seenDown = 0;
        byte[] lastUp = null;
        byte[] lastDown = null;
        // Between steps, delete the odd keys and grow the even ones: leaves split, merge and get freed under
        // the cursors, which must re-find their place and still return each surviving key once, in order.
        for (int step = 0; step < 3000; step++) {
            if (step % 2 == 1) {
                f.delete(t, k(step));
            } else {
                f.update(t, k(step), new byte[400]);
            }
            if (up.next()) {
                assertTrue(lastUp == null || java.util.Arrays.compareUnsigned(lastUp, up.key()) < 0);
                lastUp = up.key();
                seenUp++;
            }
            if (down.next()) {
                assertTrue(lastDown == null || java.util.Arrays.compareUnsigned(lastDown, down.key()) > 0);
                lastDown = down.key();
                seenDown++;
            }
        }
        while (up.next()) {
            seenUp++;
        }
        while (down.next()) {
            seenDown++;
        }
        // Even keys were never deleted: each cursor returned all 1500 of them, plus some odd ones not yet deleted.
        assertTrue(seenUp >= 1500 && seenDown >= 1500, seenUp + " / " + seenDown);
        t.validate();
        assertEquals(0, f.pages.pinnedPages());
    }

    @Test
    void callerPutsItsUndoRecordFirstInTheSameMtr() {
        BTree t = f.create(9);
        f.insert(t, k(1), new byte[] {1});
        MiniTransaction m = new MiniTransaction(f.pages, f.log, 42);
        byte[] old = t.update(m, k(1), new byte[] {2});
        m.addRecord(new LogRecord.Undo(42, 0, 9, LogRecord.UndoKind.UNDO_UPDATE, k(1), old));
        m.commit();
        List<LogRecord> records = f.log.mtrs().getLast().records();
        assertTrue(records.getFirst() instanceof LogRecord.Undo);
        assertTrue(records.get(1) instanceof LogRecord.PageRedo redo && redo.txnId() == 42);
    }

    @Test
    void aTreeOpNeedsAnMtrWithoutPages() {
        BTree t = f.create(9);
        MiniTransaction m = f.mtr();
        m.fix(PageFormat.SPACE_HEADER_PAGE_NO, LatchMode.SHARED);
        assertThrows(IllegalStateException.class, () -> t.insert(m, k(1), new byte[0]));
        m.abandon();
    }

    @Test
    void createRecordsItsRootAndOpensFromIt() {
        MiniTransaction m = f.mtr();
        BTree t = BTree.create(m, 77);
        PageAllocator.setRoot(m, SpaceHeader.CATALOG_ROOT_SLOT, t.rootPageNo());
        m.commit();
        BTree opened = new BTree(f.pages, 77, PageAllocator.root(f.pages, SpaceHeader.CATALOG_ROOT_SLOT));
        f.insert(opened, k(1), new byte[] {3});
        assertArrayEquals(new byte[] {3}, t.get(k(1)));
        assertNull(t.get(k(2)));
        BTree wrongOwner = new BTree(f.pages, 78, t.rootPageNo());
        assertThrows(IllegalStateException.class, () -> wrongOwner.get(k(1)), "a page of another index is refused");
    }

    @Test
    void separatorsAreShortestPrefixes() {
        assertArrayEquals(new byte[] {1, 3}, BTree.shortestSeparator(new byte[] {1, 2, 9}, new byte[] {1, 3, 0}));
        assertArrayEquals(new byte[] {1, 2, 0}, BTree.shortestSeparator(new byte[] {1, 2}, new byte[] {1, 2, 0, 5}));
    }
}
