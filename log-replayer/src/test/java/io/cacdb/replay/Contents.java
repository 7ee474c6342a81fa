package io.cacdb.replay;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.btree.BTreeCursor;
import io.cacdb.engine.btree.KeyRange;
import io.cacdb.engine.index.IndexDirectory;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.engine.space.PageAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The logical contents of a volume read through a page source: every index in the directory, validated. */
final class Contents {

    private Contents() {
    }

    /** Index id → hex key → hex value, for the directory itself and every index it names; each tree validated. */
    static Map<Long, Map<String, String>> of(PageSource pages) {
        long root = PageAllocator.root(pages, IndexDirectory.DIRECTORY_ROOT_SLOT);
        BTree directory = new BTree(pages, IndexDirectory.DIRECTORY_INDEX_ID, root);
        directory.validate();
        Map<Long, Map<String, String>> out = new TreeMap<>();
        out.put(IndexDirectory.DIRECTORY_INDEX_ID, dump(directory));
        BTreeCursor c = directory.cursor(new KeyRange(new byte[] {1}, true, null, false), true);
        List<long[]> entries = new ArrayList<>();
        while (c.next()) {
            entries.add(new long[] {ByteBuffer.wrap(c.key(), 1, 8).getLong(), ByteBuffer.wrap(c.value()).getLong()});
        }
        for (long[] e : entries) {
            BTree tree = new BTree(pages, e[0], e[1]);
            tree.validate();
            out.put(e[0], dump(tree));
        }
        return out;
    }

    /** {@link #of} without the directory. */
    static Map<Long, Map<String, String>> indexes(PageSource pages) {
        Map<Long, Map<String, String>> all = of(pages);
        all.remove(IndexDirectory.DIRECTORY_INDEX_ID);
        return all;
    }

    private static Map<String, String> dump(BTree tree) {
        Map<String, String> out = new TreeMap<>();
        BTreeCursor c = tree.cursor(KeyRange.all(), true);
        HexFormat hex = HexFormat.of();
        while (c.next()) {
            out.put(hex.formatHex(c.key()), hex.formatHex(c.value()));
        }
        return out;
    }
}
