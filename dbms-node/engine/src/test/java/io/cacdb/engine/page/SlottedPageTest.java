package io.cacdb.engine.page;

import io.cacdb.engine.error.RowTooLargeException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.mtr.Seeds;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SlottedPageTest {

    private static byte[] emptyPage() {
        byte[] page = new byte[PageFormat.PAGE_SIZE_BYTES];
        new PageOps.InitPage(7, PageType.BTREE_LEAF, 1, 0, 0, 0, 0).apply(page);
        return page;
    }

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private static void assertMatches(Map<Bytes, byte[]> model, byte[] page) {
        SlottedPage.check(page);
        assertEquals(model.size(), SlottedPage.slotCount(page));
        int s = 0;
        for (Map.Entry<Bytes, byte[]> e : model.entrySet()) {
            assertArrayEquals(e.getKey().b(), SlottedPage.key(page, s), "key of slot " + s);
            assertArrayEquals(e.getValue(), SlottedPage.value(page, s), "value of slot " + s);
            s++;
        }
    }

    record Bytes(byte[] b) implements Comparable<Bytes> {
        @Override
        public int compareTo(Bytes o) {
            return Arrays.compareUnsigned(b, o.b);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes other && Arrays.equals(b, other.b);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(b);
        }
    }

    @Test
    void fillsToFullFragmentsAndCompacts() {
        SplittableRandom r = new SplittableRandom(Seeds.seed("SlottedPageTest.fillsToFullFragmentsAndCompacts"));
        for (int round = 0; round < 50; round++) {
            byte[] page = emptyPage();
            TreeMap<Bytes, byte[]> model = new TreeMap<>();
            int refusals = 0;
            for (int op = 0; op < 2000; op++) {
                int choice = r.nextInt(10);
                if (choice < 6) {
                    byte[] key = bytes(r, 1 + r.nextInt(40));
                    byte[] value = bytes(r, r.nextInt(300));
                    int slot = SlottedPage.search(page, key);
                    if (slot >= 0) {
                        continue;
                    }
                    int size = SlottedPage.cellBytes(key.length, value.length);
                    if (!SlottedPage.fits(page, size)) {
                        assertTrue(SlottedPage.freeBytes(page) < size + SlottedPage.SLOT_BYTES);
                        assertThrows(IllegalStateException.class, () -> SlottedPage.insert(page, -slot - 1, key, value));
                        refusals++;
                        continue;
                    }
                    SlottedPage.insert(page, -slot - 1, key, value);
                    model.put(new Bytes(key), value);
                } else if (choice < 9 && !model.isEmpty()) {
                    int slot = r.nextInt(model.size());
                    Bytes key = model.keySet().stream().skip(slot).findFirst().orElseThrow();
                    if (r.nextBoolean()) {
                        SlottedPage.delete(page, slot);
                        model.remove(key);
                    } else {
                        byte[] value = bytes(r, r.nextInt(300));
                        int oldSize = SlottedPage.cellBytesAt(page, slot);
                        if (SlottedPage.freeBytes(page) + oldSize >= SlottedPage.cellBytes(key.b().length, value.length)) {
                            SlottedPage.updateValue(page, slot, value);
                            model.put(key, value);
                        }
                    }
                } else {
                    SlottedPage.compact(page);
                    assertEquals(0, SlottedPage.fragmentedBytes(page));
                }
                assertMatches(model, page);
                int used = 0;
                for (Map.Entry<Bytes, byte[]> e : model.entrySet()) {
                    used += SlottedPage.cellBytes(e.getKey().b().length, e.getValue().length) + SlottedPage.SLOT_BYTES;
                }
                assertEquals(used, SlottedPage.usedBytes(page), "used bytes account");
            }
            assertTrue(refusals > 0, "the page filled up at least once");
        }
    }

    @Test
    void compactionIsDeterministicAndKeepsOrder() {
        byte[] page = emptyPage();
        for (int i = 0; i < 100; i++) {
            SlottedPage.insert(page, i, new byte[] {(byte) i}, new byte[i]);
        }
        for (int i = 90; i >= 0; i -= 3) {
            SlottedPage.delete(page, i);
        }
        assertTrue(SlottedPage.fragmentedBytes(page) > 0);
        byte[] a = page.clone();
        byte[] b = page.clone();
        SlottedPage.compact(a);
        SlottedPage.compact(b);
        assertArrayEquals(a, b);
        assertEquals(0, SlottedPage.fragmentedBytes(a));
        assertEquals(SlottedPage.slotCount(page), SlottedPage.slotCount(a));
        for (int s = 0; s < SlottedPage.slotCount(a); s++) {
            assertArrayEquals(SlottedPage.key(page, s), SlottedPage.key(a, s));
            assertArrayEquals(SlottedPage.value(page, s), SlottedPage.value(a, s));
        }
        SlottedPage.check(a);
    }

    @Test
    void aPageHoldsFourMaximalCellsAndNoFifth() {
        byte[] page = emptyPage();
        int valueBytes = SlottedPage.MAX_KEY_AND_VALUE_BYTES - 10;
        for (int i = 0; i < SlottedPage.MIN_CELLS_PER_PAGE; i++) {
            assertTrue(SlottedPage.fits(page, SlottedPage.MAX_CELL_BYTES));
            SlottedPage.insert(page, i, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) i}, new byte[valueBytes]);
        }
        assertEquals(0, SlottedPage.freeBytes(page));
        assertFalse(SlottedPage.fits(page, SlottedPage.cellBytes(1, 0)));
        SlottedPage.check(page);
    }

    @Test
    void overLimitCellsAreRefusedWithTheirSizes() {
        SlottedPage.checkCellLimits(SlottedPage.MAX_KEY_BYTES, SlottedPage.MAX_KEY_AND_VALUE_BYTES - SlottedPage.MAX_KEY_BYTES);
        RowTooLargeException key = assertThrows(RowTooLargeException.class,
                () -> SlottedPage.checkCellLimits(SlottedPage.MAX_KEY_BYTES + 1, 0));
        assertEquals(SlottedPage.MAX_KEY_BYTES + 1, key.sizeBytes());
        assertEquals(SlottedPage.MAX_KEY_BYTES, key.limitBytes());
        assertTrue(key.getMessage().contains(String.valueOf(SlottedPage.MAX_KEY_BYTES + 1)), key.getMessage());
        RowTooLargeException row = assertThrows(RowTooLargeException.class,
                () -> SlottedPage.checkCellLimits(10, SlottedPage.MAX_KEY_AND_VALUE_BYTES - 9));
        assertEquals(SlottedPage.MAX_KEY_AND_VALUE_BYTES + 1, row.sizeBytes());
        assertEquals("key plus value", row.what());
        byte[] page = emptyPage();
        assertThrows(IllegalStateException.class,
                () -> SlottedPage.insert(page, 0, new byte[1], new byte[SlottedPage.MAX_KEY_AND_VALUE_BYTES]));
    }

    @Test
    void limitsAreConsistent() {
        assertEquals(SlottedPage.USABLE_BYTES,
                SlottedPage.MIN_CELLS_PER_PAGE * (SlottedPage.MAX_CELL_BYTES + SlottedPage.SLOT_BYTES));
        assertTrue(SlottedPage.cellBytes(SlottedPage.MAX_KEY_BYTES, Long.BYTES) <= SlottedPage.MAX_CELL_BYTES);
    }

    @Test
    void zeroPageReadsAsEmpty() {
        byte[] page = new byte[PageFormat.PAGE_SIZE_BYTES];
        assertEquals(0, SlottedPage.slotCount(page));
        assertEquals(SlottedPage.USABLE_BYTES, SlottedPage.freeBytes(page));
        SlottedPage.check(page);
    }
}
