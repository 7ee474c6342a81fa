package io.cacdb.engine.page;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cacdb.engine.page.SlottedPage.Cell;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PageOpsTest {

    private static final long LSN = 123_456;

    /** A leaf with 20 cells, some deleted (fragmented), and a pageLSN. */
    private static byte[] samplePage() {
        byte[] page = new byte[PageFormat.PAGE_SIZE_BYTES];
        new PageOps.InitPage(9, PageType.BTREE_LEAF, 42, 0, 3, 4, 0).apply(page);
        for (int i = 0; i < 20; i++) {
            SlottedPage.insert(page, i, new byte[] {'k', (byte) (2 * i)}, new byte[10 + i]);
        }
        SlottedPage.delete(page, 5);
        SlottedPage.delete(page, 11);
        PageFormat.setPageLsn(page, LSN);
        return page;
    }

    private static byte[] encode(PageOp op) {
        ByteBuffer buf = ByteBuffer.allocate(op.encodedSize());
        op.encode(buf);
        assertEquals(0, buf.remaining(), op + " encodes exactly encodedSize bytes");
        return buf.array();
    }

    private static List<PageOp> everyOp() {
        byte[] image = samplePage();
        SlottedPage.insert(image, 0, new byte[] {'a'}, new byte[] {1, 2, 3});
        List<Cell> cells = List.of(new Cell(new byte[] {'k', 100}, new byte[] {7}),
                new Cell(new byte[] {'k', 101}, new byte[0]));
        return List.of(
                new PageOps.InitPage(9, PageType.BTREE_INTERNAL, 42, 3, 0, 0, 77),
                new PageOps.InsertCell(3, new byte[] {'k', 5}, new byte[] {1, 2}),
                new PageOps.DeleteCell(4),
                new PageOps.UpdateCell(2, new byte[] {9, 9, 9}),
                new PageOps.UpdateCell(2, new byte[12]),
                new PageOps.TruncateSlots(10),
                PageOps.WriteBytes.ofLong(PageFormat.NEXT_PAGE_OFFSET, 555),
                new PageOps.PageImage(image),
                new PageOps.InsertCells(18, cells),
                new PageOps.DeleteCells(3, 4));
    }

    @Test
    void everyOpRoundTripsAndAppliesDeterministically() {
        Set<Byte> codes = new TreeSet<>();
        for (PageOp op : everyOp()) {
            codes.add(op.code());
            byte[] body = encode(op);
            PageOp decoded = PageOps.decode(op.code(), ByteBuffer.wrap(body));
            assertEquals(op.getClass(), decoded.getClass());
            assertArrayEquals(body, encode(decoded), op + " re-encodes to the same bytes");

            byte[] a = samplePage();
            byte[] b = samplePage();
            op.apply(a);
            decoded.apply(b);
            assertArrayEquals(a, b, op + ": decoded op gives the same bytes");
            byte[] c = samplePage();
            op.apply(c);
            assertArrayEquals(a, c, op + ": applying twice from the same image gives the same bytes");
            assertEquals(LSN, PageFormat.pageLsn(a), op + " leaves the pageLSN alone");
            SlottedPage.check(a);
        }
        assertEquals(Set.of(PageOps.INIT_PAGE, PageOps.INSERT_CELL, PageOps.DELETE_CELL, PageOps.UPDATE_CELL,
                PageOps.TRUNCATE_SLOTS, PageOps.WRITE_BYTES, PageOps.PAGE_IMAGE, PageOps.INSERT_CELLS,
                PageOps.DELETE_CELLS), codes, "every op kind is covered");
    }

    @Test
    void opsDoWhatTheySay() {
        byte[] page = samplePage();
        int before = SlottedPage.slotCount(page);
        new PageOps.InsertCell(0, new byte[] {'a'}, new byte[] {1}).apply(page);
        assertEquals(before + 1, SlottedPage.slotCount(page));
        assertArrayEquals(new byte[] {'a'}, SlottedPage.key(page, 0));
        new PageOps.UpdateCell(0, new byte[] {5, 6}).apply(page);
        assertArrayEquals(new byte[] {5, 6}, SlottedPage.value(page, 0));
        new PageOps.DeleteCell(0).apply(page);
        assertEquals(before, SlottedPage.slotCount(page));
        new PageOps.DeleteCells(0, 2).apply(page);
        assertEquals(before - 2, SlottedPage.slotCount(page));
        new PageOps.TruncateSlots(5).apply(page);
        assertEquals(5, SlottedPage.slotCount(page));
        PageOps.WriteBytes.ofLong(PageFormat.PREV_PAGE_OFFSET, 31).apply(page);
        assertEquals(31, PageFormat.getLong(page, PageFormat.PREV_PAGE_OFFSET));
        new PageOps.InitPage(9, PageType.FREE, 0, 0, 0, 8, 0).apply(page);
        assertEquals(PageType.FREE, PageFormat.type(page));
        assertEquals(0, SlottedPage.slotCount(page));
        assertEquals(8, PageFormat.getLong(page, PageFormat.NEXT_PAGE_OFFSET));
        assertEquals(LSN, PageFormat.pageLsn(page));
    }

    @Test
    void insertCellsCompactsWhenOnlyFragmentedSpaceIsLeft() {
        byte[] page = new byte[PageFormat.PAGE_SIZE_BYTES];
        new PageOps.InitPage(1, PageType.BTREE_LEAF, 1, 0, 0, 0, 0).apply(page);
        List<Cell> big = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            big.add(new Cell(new byte[] {(byte) i}, new byte[SlottedPage.MAX_KEY_AND_VALUE_BYTES - 1]));
        }
        new PageOps.InsertCells(0, big).apply(page);
        new PageOps.DeleteCells(1, 2).apply(page);
        new PageOps.InsertCells(1, big.subList(1, 3)).apply(page);
        assertEquals(4, SlottedPage.slotCount(page));
        assertEquals(0, SlottedPage.freeBytes(page));
        SlottedPage.check(page);
    }

    @Test
    void malformedBodiesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PageOps.decode((byte) 99, ByteBuffer.allocate(4)));
        assertThrows(IllegalArgumentException.class, () -> PageOps.decode(PageOps.DELETE_CELL, ByteBuffer.allocate(1)));
        assertThrows(IllegalArgumentException.class, () -> PageOps.decode(PageOps.DELETE_CELL, ByteBuffer.allocate(3)));
        byte[] init = encode(new PageOps.InitPage(1, PageType.FREE, 0, 0, 0, 0, 0));
        init[8] = 42; // no such page type
        assertThrows(IllegalArgumentException.class, () -> PageOps.decode(PageOps.INIT_PAGE, ByteBuffer.wrap(init)));
    }

    @Test
    void writeBytesMayNotTouchThePageLsn() {
        assertThrows(IllegalArgumentException.class, () -> new PageOps.WriteBytes(PageFormat.PAGE_LSN_OFFSET, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> new PageOps.WriteBytes(6, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> new PageOps.WriteBytes(0, new byte[2]));
        assertThrows(IllegalArgumentException.class,
                () -> new PageOps.WriteBytes(PageFormat.PAGE_SIZE_BYTES - 1, new byte[2]));
    }

    @Test
    void opsThatDoNotFitAreProgrammerErrors() {
        byte[] page = samplePage();
        assertThrows(IllegalStateException.class, () -> new PageOps.DeleteCell(500).apply(page));
        assertThrows(IllegalStateException.class,
                () -> new PageOps.InsertCell(500, new byte[] {1}, new byte[] {1}).apply(page));
        byte[] full = new byte[PageFormat.PAGE_SIZE_BYTES];
        new PageOps.InitPage(1, PageType.BTREE_LEAF, 1, 0, 0, 0, 0).apply(full);
        for (int i = 0; i < 4; i++) {
            new PageOps.InsertCell(i, new byte[] {(byte) i}, new byte[SlottedPage.MAX_KEY_AND_VALUE_BYTES - 1]).apply(full);
        }
        assertThrows(IllegalStateException.class, () -> new PageOps.UpdateCell(0,
                new byte[SlottedPage.MAX_KEY_AND_VALUE_BYTES]).apply(full));
    }
}
