package io.cacdb.engine.btree;

import io.cacdb.engine.error.DuplicateKeyException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.mtr.ListLogSink;
import io.cacdb.engine.mtr.MapPageSource;
import io.cacdb.engine.mtr.MiniTransaction;
import io.cacdb.engine.space.PageAllocator;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/** A formatted in-memory volume with helpers that run each tree operation in its own MTR. */
final class TreeFixture {

    final MapPageSource pages;
    final ListLogSink log = new ListLogSink();

    TreeFixture() {
        this.pages = new MapPageSource();
        MiniTransaction m = mtr();
        PageAllocator.format(m);
        m.commit();
    }

    static TreeMap<byte[], byte[]> newModel() {
        return new TreeMap<>(Arrays::compareUnsigned);
    }

    MiniTransaction mtr() {
        return new MiniTransaction(pages, log);
    }

    BTree create(long indexId) {
        MiniTransaction m = mtr();
        BTree t = BTree.create(m, indexId);
        m.commit();
        return t;
    }

    /** Inserts; false if the key was present (the MTR is then abandoned, nothing logged). */
    boolean insert(BTree t, byte[] key, byte[] value) {
        MiniTransaction m = mtr();
        try {
            t.insert(m, key, value);
        } catch (DuplicateKeyException e) {
            assertEquals(0, m.fixedCount(), "a refused insert leaves no page fixed");
            m.abandon();
            return false;
        }
        m.commit();
        return true;
    }

    byte[] update(BTree t, byte[] key, byte[] value) {
        MiniTransaction m = mtr();
        byte[] old = t.update(m, key, value);
        m.commit();
        return old;
    }

    byte[] delete(BTree t, byte[] key) {
        MiniTransaction m = mtr();
        byte[] old = t.delete(m, key);
        m.commit();
        return old;
    }

    static void assertScanEquals(BTree t, KeyRange range, boolean ascending, NavigableMap<byte[], byte[]> model,
                                 int limit) {
        NavigableMap<byte[], byte[]> expected = ascending ? model : model.descendingMap();
        BTreeCursor c = t.cursor(range, ascending);
        int n = 0;
        for (Map.Entry<byte[], byte[]> e : expected.entrySet()) {
            if (n == limit) {
                return;
            }
            if (!range.contains(e.getKey())) {
                continue;
            }
            assertTrue(c.next(), "cursor ended early at " + n + " (" + (ascending ? "asc" : "desc") + ")");
            assertArrayEquals(e.getKey(), c.key(), "key " + n);
            assertArrayEquals(e.getValue(), c.value(), "value " + n);
            n++;
        }
        if (n < limit) {
            assertFalse(c.next(), "cursor returns more than the model holds");
        }
    }

    /** Page 0, the trees' pages and the free list partition [0, nextUnused) exactly. */
    void assertSpaceAccounted(List<TreeStats> trees) {
        Set<Long> all = new HashSet<>();
        all.add(0L);
        for (TreeStats s : trees) {
            for (long p : s.pages()) {
                assertTrue(all.add(p), "page " + p + " belongs to two owners");
            }
        }
        for (long p : PageAllocator.freePages(pages)) {
            assertTrue(all.add(p), "free page " + p + " is also in use");
        }
        long nextUnused = PageAllocator.nextUnused(pages);
        assertEquals(nextUnused, all.size(), "every page below next-unused is accounted for");
        for (long p = 0; p < nextUnused; p++) {
            assertTrue(all.contains(p), "page " + p + " is lost");
        }
    }
}
