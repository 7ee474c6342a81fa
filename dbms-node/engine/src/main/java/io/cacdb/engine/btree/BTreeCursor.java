package io.cacdb.engine.btree;

import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.PageRef;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.page.SlottedPage;
import io.cacdb.engine.page.SlottedPage.Cell;
import java.util.ArrayDeque;

/**
 * A range scan over one {@link BTree}, in either direction, reading leaf by leaf.
 *
 * <p>Design note. The cursor copies the qualifying cells of one leaf while holding that leaf's SHARED latch and
 * remembers the leaf's page number and pageLSN; it holds no latch between calls, so a caller may do anything
 * (including writes to the same tree) between {@link #next()} calls and may simply drop a cursor. To go on, it
 * re-latches the remembered leaf: if the pageLSN is unchanged the leaf is exactly as read, so its sibling link is
 * still right. Moving right then latches the next leaf while holding the current one (coupling, left before right).
 * Moving left never waits for a left page while holding a right one, which could deadlock with a split or a cursor
 * moving right: it releases the leaf, latches the left sibling, checks that its next link still points back, then
 * latches the remembered leaf again (left before right) to check that it is still unchanged. Whenever a check
 * fails, it descends again from the root to the key after (or before) the last one it returned.
 *
 * <p>Guarantees under concurrent changes: keys come in strict order without repeats, each key returned was in the
 * tree when its leaf was read, and every key that is in the tree for the whole scan is returned. Keys inserted or
 * deleted during the scan may or may not be seen (row locks, not latches, give transactions stability).
 *
 * <p>Not thread-safe: a cursor belongs to one thread.
 */
public final class BTreeCursor {

    private final BTree tree;
    private final KeyRange range;
    private final boolean ascending;
    private final ArrayDeque<Cell> buffer = new ArrayDeque<>();
    /** Scanning resumes after (or, descending, before) this key; at start it is the range bound. */
    private byte[] resumeKey;
    private boolean resumeInclusive;
    private long leafNo = PageFormat.NO_PAGE;
    private long leafLsn;
    private boolean exhausted;
    private Cell current;

    BTreeCursor(BTree tree, KeyRange range, boolean ascending) {
        this.tree = tree;
        this.range = range;
        this.ascending = ascending;
        this.resumeKey = ascending ? range.low() : range.high();
        this.resumeInclusive = ascending ? range.lowInclusive() : range.highInclusive();
    }

    /** Moves to the next key in scan order; false when the range is exhausted. */
    public boolean next() {
        while (buffer.isEmpty()) {
            if (exhausted) {
                current = null;
                return false;
            }
            if (ascending) {
                fillForward();
            } else {
                fillBackward();
            }
        }
        current = buffer.poll();
        resumeKey = current.key();
        resumeInclusive = false;
        return true;
    }

    /** The current key (a copy owned by the caller). */
    public byte[] key() {
        checkCurrent();
        return current.key().clone();
    }

    /** The current value (a copy owned by the caller). */
    public byte[] value() {
        checkCurrent();
        return current.value().clone();
    }

    private void checkCurrent() {
        if (current == null) {
            throw new IllegalStateException("cursor is not on a key: call next() first and check its result");
        }
    }

    private PageRef descend() {
        if (resumeKey == null) {
            return tree.descendRead(null, ascending ? BTree.Target.FIRST : BTree.Target.LAST);
        }
        BTree.Target target = ascending || resumeInclusive ? BTree.Target.AT_OR_BELOW : BTree.Target.BELOW;
        return tree.descendRead(resumeKey, target);
    }

    /** Latches the remembered leaf; null (and released) if it changed since it was read. */
    private PageRef refixUnchanged() {
        PageRef ref = tree.pages().fix(leafNo, LatchMode.SHARED);
        byte[] p = ref.bytes();
        if (tree.isLeafOfThisTree(p) && PageFormat.pageLsn(p) == leafLsn) {
            return ref;
        }
        ref.release();
        return null;
    }

    private void fillForward() {
        PageRef ref = null;
        if (leafNo != PageFormat.NO_PAGE) {
            PageRef cur = refixUnchanged();
            if (cur != null) {
                long next = PageFormat.getLong(cur.bytes(), PageFormat.NEXT_PAGE_OFFSET);
                if (next == PageFormat.NO_PAGE) {
                    cur.release();
                    exhausted = true;
                    return;
                }
                try {
                    ref = tree.pages().fix(next, LatchMode.SHARED);
                } finally {
                    cur.release();
                }
                if (!tree.isLeafOfThisTree(ref.bytes())) {
                    ref.release();
                    throw new IllegalStateException("index " + tree.indexId() + ": leaf " + leafNo
                            + " links to page " + next + ", which is not a leaf of the index");
                }
            }
        }
        if (ref == null) {
            ref = descend();
        }
        try {
            byte[] p = ref.bytes();
            int n = SlottedPage.slotCount(p);
            int start = 0;
            if (resumeKey != null) {
                int pos = SlottedPage.search(p, resumeKey);
                start = pos >= 0 ? (resumeInclusive ? pos : pos + 1) : -pos - 1;
            }
            for (int s = start; s < n && !exhausted; s++) {
                Cell c = SlottedPage.cell(p, s);
                if (range.belowHigh(c.key())) {
                    buffer.add(c);
                } else {
                    exhausted = true;
                }
            }
            leafNo = ref.pageNo();
            leafLsn = PageFormat.pageLsn(p);
            if (PageFormat.getLong(p, PageFormat.NEXT_PAGE_OFFSET) == PageFormat.NO_PAGE) {
                exhausted = true;
            }
        } finally {
            ref.release();
        }
    }

    private void fillBackward() {
        PageRef ref = null;
        if (leafNo != PageFormat.NO_PAGE) {
            PageRef cur = refixUnchanged();
            if (cur != null) {
                long prev = PageFormat.getLong(cur.bytes(), PageFormat.PREV_PAGE_OFFSET);
                cur.release();
                if (prev == PageFormat.NO_PAGE) {
                    exhausted = true;
                    return;
                }
                PageRef left = tree.pages().fix(prev, LatchMode.SHARED);
                boolean ok = tree.isLeafOfThisTree(left.bytes())
                        && PageFormat.getLong(left.bytes(), PageFormat.NEXT_PAGE_OFFSET) == leafNo;
                if (ok) {
                    PageRef again = null;
                    try {
                        again = refixUnchanged();
                    } finally {
                        if (again == null) {
                            left.release();
                        }
                    }
                    if (again != null) {
                        again.release();
                        ref = left;
                    }
                } else {
                    left.release();
                }
            }
        }
        if (ref == null) {
            ref = descend();
        }
        try {
            byte[] p = ref.bytes();
            int end = SlottedPage.slotCount(p) - 1;
            if (resumeKey != null) {
                int pos = SlottedPage.search(p, resumeKey);
                end = pos >= 0 ? (resumeInclusive ? pos : pos - 1) : -pos - 2;
            }
            for (int s = end; s >= 0 && !exhausted; s--) {
                Cell c = SlottedPage.cell(p, s);
                if (range.aboveLow(c.key())) {
                    buffer.add(c);
                } else {
                    exhausted = true;
                }
            }
            leafNo = ref.pageNo();
            leafLsn = PageFormat.pageLsn(p);
            if (PageFormat.getLong(p, PageFormat.PREV_PAGE_OFFSET) == PageFormat.NO_PAGE) {
                exhausted = true;
            }
        } finally {
            ref.release();
        }
    }
}
