package io.cacdb.engine.btree;

import io.cacdb.engine.error.DuplicateKeyException;
import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.MiniTransaction;
import io.cacdb.engine.mtr.PageRef;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.page.PageType;
import io.cacdb.engine.page.SlottedPage;
import io.cacdb.engine.page.SlottedPage.Cell;
import io.cacdb.engine.space.PageAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A B+tree of byte-string keys (compared as unsigned bytes) and byte-string values, stored in slotted pages of one
 * volume. One tree per index: the clustered primary index keeps rows as values; a secondary index stores
 * {@code secondaryKey ++ primaryKey -> empty} (or {@code secondaryKey -> primaryKey} when unique). The caller composes
 * the bytes; the tree only stores them.
 *
 * <p><b>Design note.</b>
 * <ul>
 * <li>Shape. Leaves (level 0) hold the cells and are doubly linked through prev/next. Internal nodes hold cells
 * {@code (separator, child)} plus a leftmost child in the header's {@code special} field; child {@code i} holds keys
 * in {@code [sep_i, sep_i+1)}, the leftmost child keys below {@code sep_0}. Leaf splits push up the shortest prefix of
 * the right half's first key that still separates (suffix truncation). The root page number never changes: a root
 * split moves the root's contents to two new children, and when the root is an internal node left with a single
 * child, that child's contents move up into the root (collapse).</li>
 * <li>Mini-transactions. Every change is made through the caller's {@link MiniTransaction}, including the splits,
 * merges, page allocations and frees it causes, so one logical row change and its structure changes reach the log
 * atomically, after any Undo record the caller adds to the same MTR. The MTR passed in must hold no page: a tree
 * change must be the only page work of its MTR (this is what keeps latch order global, see below).</li>
 * <li>Concurrency: latch coupling, optimistic then pessimistic. Reads descend with SHARED latches, holding a parent
 * only until the child is latched. A write descends the same way but latches the leaf EXCLUSIVE; if the change fits
 * the leaf without a split or an underflow it is done there. Otherwise everything is released and the write
 * restarts pessimistically: EXCLUSIVE latches from the root, releasing all ancestors whenever a node is safe (an
 * insert or growing update: room for the largest separator; a delete or shrinking update: stays above
 * {@link #UNDERFULL_BYTES} after losing the largest separator). A node that is not safe during a delete also gets
 * its merge partner latched (its left sibling under the same parent, else its right one).</li>
 * <li>Latch order, which makes all of the above deadlock-free: higher levels before lower ones, and within a level
 * left before right; the space header (page 0, taken by allocate/free) after every tree page; a page popped from
 * the free list after page 0. To latch a left partner while holding a node, the (unchanged) node is released and
 * re-latched after the partner; the parent stays latched EXCLUSIVE meanwhile, so nothing can reach the node.
 * Splits latch the right neighbour before allocating. Cursors move right with coupling and move left by release,
 * latch the left page, re-check (see {@link BTreeCursor}).</li>
 * <li>Rebalancing is best effort: a non-root node below {@link #UNDERFULL_BYTES} is merged with its partner when
 * both fit one page (the right page of the pair is freed), else cells are redistributed between them, which needs
 * the parent to take the new separator; when it cannot, the node stays underfull. Only merges propagate upwards.
 * An underfull or even empty page is legal (cursors skip it); what is never allowed is checked by
 * {@link #validate()}.</li>
 * </ul>
 *
 * <p>Threads: a {@code BTree} is immutable and thread-safe; use one instance (or equal instances) per index.
 * Durability is the MTR's: nothing here waits for the log.
 */
public final class BTree {

    /**
     * A non-root node with fewer used bytes (cells and slots) is rebalanced after a delete: a quarter page keeps
     * the tree at least ~25% full where rebalancing succeeds, while leaving room between the merge and split
     * thresholds so that alternating inserts and deletes do not split and merge the same page back and forth.
     */
    public static final int UNDERFULL_BYTES = SlottedPage.USABLE_BYTES / 4;

    /** The largest internal cell, with its slot: a maximal separator and a child page number. */
    static final int MAX_SEPARATOR_CELL_WITH_SLOT_BYTES =
            SlottedPage.cellBytes(SlottedPage.MAX_KEY_BYTES, Long.BYTES) + SlottedPage.SLOT_BYTES;

    private static final int ROOT_INDEX = -2;
    private static final int LEFTMOST = -1;

    private final PageSource pages;
    private final long indexId;
    private final long rootPageNo;
    private final StructureChanges changes = new StructureChanges();

    /** Opens an existing tree whose root is {@code rootPageNo} (from the catalog or the space header). */
    public BTree(PageSource pages, long indexId, long rootPageNo) {
        if (indexId == 0) {
            throw new IllegalArgumentException("index id 0 is reserved for system pages");
        }
        if (rootPageNo == PageFormat.NO_PAGE) {
            throw new IllegalArgumentException("root page " + rootPageNo + " is not a tree page");
        }
        this.pages = pages;
        this.indexId = indexId;
        this.rootPageNo = rootPageNo;
    }

    /**
     * Creates an empty tree (a root leaf) in {@code mtr}, which may already hold page 0 but no tree page. The root
     * page number must be recorded by the caller (catalog or {@link PageAllocator#setRoot}) in the same MTR.
     */
    public static BTree create(MiniTransaction mtr, long indexId) {
        PageRef root = PageAllocator.allocate(mtr);
        mtr.apply(root, new PageOps.InitPage(root.pageNo(), PageType.BTREE_LEAF, indexId, 0, PageFormat.NO_PAGE,
                PageFormat.NO_PAGE, PageFormat.NO_PAGE));
        return new BTree(mtr.pageSource(), indexId, root.pageNo());
    }

    public long indexId() {
        return indexId;
    }

    public long rootPageNo() {
        return rootPageNo;
    }

    /** What this instance has done to the tree's structure (for metrics and tests). */
    public StructureChanges structureChanges() {
        return changes;
    }

    PageSource pages() {
        return pages;
    }

    // ---------------------------------------------------------------------------------------------------- reads

    /** The value stored under {@code key}, or null. Takes SHARED latches only, one or two at a time. */
    public byte[] get(byte[] key) {
        PageRef leaf = descendRead(key, Target.AT_OR_BELOW);
        try {
            int slot = SlottedPage.search(leaf.bytes(), key);
            return slot >= 0 ? SlottedPage.value(leaf.bytes(), slot) : null;
        } finally {
            leaf.release();
        }
    }

    /**
     * A cursor over the keys in {@code range}, ascending if {@code ascending}, else descending. The cursor holds no
     * latch between calls; see {@link BTreeCursor} for what it guarantees under concurrent changes.
     */
    public BTreeCursor cursor(KeyRange range, boolean ascending) {
        return new BTreeCursor(this, range, ascending);
    }

    enum Target {
        /** The leaf that would hold {@code key}. */
        AT_OR_BELOW,
        /** The leaf that would hold the largest key below {@code key}. */
        BELOW,
        FIRST,
        LAST
    }

    /** Descends with SHARED latch coupling; returns the leaf, latched SHARED (the caller releases it). */
    PageRef descendRead(byte[] key, Target target) {
        PageRef cur = pages.fix(rootPageNo, LatchMode.SHARED);
        try {
            checkNode(cur, -1);
            while (PageFormat.level(cur.bytes()) > 0) {
                byte[] p = cur.bytes();
                int idx = switch (target) {
                    case AT_OR_BELOW -> childIndex(p, key);
                    case BELOW -> childIndexBelow(p, key);
                    case FIRST -> LEFTMOST;
                    case LAST -> SlottedPage.slotCount(p) - 1;
                };
                int level = PageFormat.level(p);
                PageRef child = pages.fix(child(p, idx), LatchMode.SHARED);
                cur.release();
                cur = child;
                checkNode(cur, level - 1);
            }
            return cur;
        } catch (RuntimeException e) {
            cur.release();
            throw e;
        }
    }

    /** Whether a page (latched by the caller) is currently a leaf of this tree. */
    boolean isLeafOfThisTree(byte[] p) {
        return PageFormat.type(p) == PageType.BTREE_LEAF && PageFormat.ownerId(p) == indexId;
    }

    // --------------------------------------------------------------------------------------------------- writes

    /**
     * Inserts {@code key -> value}. Throws {@link DuplicateKeyException} if the key is present (nothing changed)
     * and {@link io.cacdb.engine.error.RowTooLargeException} if the cell exceeds the page limits.
     */
    public void insert(MiniTransaction mtr, byte[] key, byte[] value) {
        SlottedPage.checkCellLimits(key.length, value.length);
        requireNoPages(mtr);
        int size = SlottedPage.cellBytes(key.length, value.length);
        PageRef leaf = descendForWrite(mtr, key);
        byte[] p = leaf.bytes();
        int slot = SlottedPage.search(p, key);
        if (slot >= 0) {
            mtr.release(leaf);
            throw new DuplicateKeyException(indexId, key);
        }
        if (SlottedPage.fits(p, size)) {
            mtr.apply(leaf, new PageOps.InsertCell(-slot - 1, key, value));
            return;
        }
        mtr.release(leaf);
        changes.pessimisticRestarts.increment();

        List<Step> path = descendExclusive(mtr, key, true, page -> SlottedPage.fits(page, size));
        Step last = path.getLast();
        p = last.node.bytes();
        slot = SlottedPage.search(p, key);
        if (slot >= 0) {
            releaseSteps(mtr, path);
            throw new DuplicateKeyException(indexId, key);
        }
        insertInto(mtr, path, path.size() - 1, -slot - 1, key, value);
    }

    /**
     * Replaces the value of {@code key}; returns the old value, or null (and changes nothing) if the key is absent.
     */
    public byte[] update(MiniTransaction mtr, byte[] key, byte[] value) {
        SlottedPage.checkCellLimits(key.length, value.length);
        requireNoPages(mtr);
        int newSize = SlottedPage.cellBytes(key.length, value.length);
        PageRef leaf = descendForWrite(mtr, key);
        byte[] p = leaf.bytes();
        int slot = SlottedPage.search(p, key);
        if (slot < 0) {
            mtr.release(leaf);
            return null;
        }
        byte[] old = SlottedPage.value(p, slot);
        int oldSize = SlottedPage.cellBytesAt(p, slot);
        boolean fitsInPlace = SlottedPage.freeBytes(p) + oldSize >= newSize;
        boolean staysFull = leaf.pageNo() == rootPageNo || newSize >= oldSize
                || SlottedPage.usedBytes(p) - oldSize + newSize >= UNDERFULL_BYTES;
        if (fitsInPlace && staysFull) {
            mtr.apply(leaf, new PageOps.UpdateCell(slot, value));
            return old;
        }
        mtr.release(leaf);
        changes.pessimisticRestarts.increment();

        while (true) {
            boolean grow = newSize > oldSize;
            List<Step> path = descendExclusive(mtr, key, grow, page -> {
                int s = SlottedPage.search(page, key);
                if (s < 0) {
                    return true;
                }
                int os = SlottedPage.cellBytesAt(page, s);
                return grow ? SlottedPage.freeBytes(page) + os >= newSize
                        : SlottedPage.usedBytes(page) - os + newSize >= UNDERFULL_BYTES;
            });
            int leafIndex = path.size() - 1;
            PageRef node = path.get(leafIndex).node;
            p = node.bytes();
            slot = SlottedPage.search(p, key);
            if (slot < 0) {
                releaseSteps(mtr, path);
                return null;
            }
            old = SlottedPage.value(p, slot);
            oldSize = SlottedPage.cellBytesAt(p, slot);
            if ((newSize > oldSize) != grow) {
                // Another writer changed the value's size between our descents; the path was judged for the
                // other direction. Nothing is changed yet: start over in the right mode.
                releaseSteps(mtr, path);
                continue;
            }
            return updatePessimistic(mtr, path, leafIndex, slot, key, value, old, oldSize, newSize);
        }
    }

    private byte[] updatePessimistic(MiniTransaction mtr, List<Step> path, int leafIndex, int slot, byte[] key,
                                     byte[] value, byte[] old, int oldSize, int newSize) {
        PageRef node = path.get(leafIndex).node;
        byte[] p = node.bytes();
        if (SlottedPage.freeBytes(p) + oldSize >= newSize) {
            mtr.apply(node, new PageOps.UpdateCell(slot, value));
            if (newSize < oldSize) {
                rebalance(mtr, path, leafIndex);
            }
            return old;
        }
        List<Cell> cells = SlottedPage.cells(p);
        cells.set(slot, new Cell(key, value));
        overflow(mtr, path, leafIndex, cells, slot, false);
        return old;
    }

    /** Deletes {@code key}; returns its value, or null (and changes nothing) if absent. */
    public byte[] delete(MiniTransaction mtr, byte[] key) {
        requireNoPages(mtr);
        PageRef leaf = descendForWrite(mtr, key);
        byte[] p = leaf.bytes();
        int slot = SlottedPage.search(p, key);
        if (slot < 0) {
            mtr.release(leaf);
            return null;
        }
        byte[] old = SlottedPage.value(p, slot);
        int remaining = SlottedPage.usedBytes(p) - SlottedPage.cellBytesAt(p, slot) - SlottedPage.SLOT_BYTES;
        if (leaf.pageNo() == rootPageNo || remaining >= UNDERFULL_BYTES) {
            mtr.apply(leaf, new PageOps.DeleteCell(slot));
            return old;
        }
        mtr.release(leaf);
        changes.pessimisticRestarts.increment();

        List<Step> path = descendExclusive(mtr, key, false, page -> {
            int s = SlottedPage.search(page, key);
            return s < 0 || SlottedPage.usedBytes(page) - SlottedPage.cellBytesAt(page, s)
                    - SlottedPage.SLOT_BYTES >= UNDERFULL_BYTES;
        });
        int leafIndex = path.size() - 1;
        PageRef node = path.get(leafIndex).node;
        p = node.bytes();
        slot = SlottedPage.search(p, key);
        if (slot < 0) {
            releaseSteps(mtr, path);
            return null;
        }
        old = SlottedPage.value(p, slot);
        mtr.apply(node, new PageOps.DeleteCell(slot));
        rebalance(mtr, path, leafIndex);
        return old;
    }

    private void requireNoPages(MiniTransaction mtr) {
        if (mtr.fixedCount() != 0) {
            throw new IllegalStateException("a tree change needs an MTR that holds no page (latch order), this one"
                    + " holds " + mtr.fixedCount());
        }
    }

    /** Optimistic descent: SHARED latch coupling, the leaf EXCLUSIVE. Returns the leaf, fixed in {@code mtr}. */
    private PageRef descendForWrite(MiniTransaction mtr, byte[] key) {
        while (true) {
            PageRef cur = mtr.fix(rootPageNo, LatchMode.SHARED);
            checkNode(cur, -1);
            if (PageFormat.level(cur.bytes()) == 0) {
                mtr.release(cur);
                cur = mtr.fix(rootPageNo, LatchMode.EXCLUSIVE);
                checkNode(cur, -1);
                if (PageFormat.level(cur.bytes()) == 0) {
                    return cur;
                }
                mtr.release(cur); // the root split meanwhile: start over
                continue;
            }
            while (true) {
                byte[] p = cur.bytes();
                int level = PageFormat.level(p);
                long childNo = child(p, childIndex(p, key));
                PageRef c = mtr.fix(childNo, level == 1 ? LatchMode.EXCLUSIVE : LatchMode.SHARED);
                mtr.release(cur);
                cur = c;
                checkNode(cur, level - 1);
                if (level == 1) {
                    return cur;
                }
            }
        }
    }

    /** A node on the EXCLUSIVE path, with its position in its parent and, for deletes, its merge partner. */
    private static final class Step {
        PageRef node;
        /** Index of the cell in the parent pointing here; {@link #LEFTMOST} or {@link #ROOT_INDEX}. */
        final int index;
        /** Whether every ancestor on the path pointed at its last child when we descended. */
        final boolean rightmost;
        PageRef partner;
        boolean partnerIsLeft;

        Step(PageRef node, int index, boolean rightmost) {
            this.node = node;
            this.index = index;
            this.rightmost = rightmost;
        }
    }

    /**
     * Pessimistic descent: EXCLUSIVE latches from the root, releasing the ancestors of every safe node; for
     * shrinking changes an unsafe node also gets its merge partner. {@code leafSafe} judges the leaf.
     */
    private List<Step> descendExclusive(MiniTransaction mtr, byte[] key, boolean grow, Predicate<byte[]> leafSafe) {
        List<Step> path = new ArrayList<>();
        PageRef root = mtr.fix(rootPageNo, LatchMode.EXCLUSIVE);
        checkNode(root, -1);
        path.add(new Step(root, ROOT_INDEX, true));
        PageRef cur = root;
        while (PageFormat.level(cur.bytes()) > 0) {
            byte[] p = cur.bytes();
            int level = PageFormat.level(p);
            int count = SlottedPage.slotCount(p);
            int idx = childIndex(p, key);
            long childNo = child(p, idx);
            PageRef c = mtr.fix(childNo, LatchMode.EXCLUSIVE);
            checkNode(c, level - 1);
            Step step = new Step(c, idx, path.getLast().rightmost && idx == count - 1);
            byte[] cp = c.bytes();
            boolean safe = level - 1 == 0 ? leafSafe.test(cp)
                    : grow ? SlottedPage.freeBytes(cp) >= MAX_SEPARATOR_CELL_WITH_SLOT_BYTES
                    : SlottedPage.usedBytes(cp) - MAX_SEPARATOR_CELL_WITH_SLOT_BYTES >= UNDERFULL_BYTES;
            if (safe) {
                releaseSteps(mtr, path);
                path.clear();
            } else if (!grow) {
                if (idx >= 0) {
                    // Latch order is left before right: let go of the unchanged child, take its left sibling, then
                    // the child again. The parent is held EXCLUSIVE throughout, so the child cannot change shape.
                    mtr.release(c);
                    step.partner = mtr.fix(child(p, idx - 1), LatchMode.EXCLUSIVE);
                    checkNode(step.partner, level - 1);
                    step.partnerIsLeft = true;
                    c = mtr.fix(childNo, LatchMode.EXCLUSIVE);
                    checkNode(c, level - 1);
                    step.node = c;
                } else if (count > 0) {
                    step.partner = mtr.fix(child(p, 0), LatchMode.EXCLUSIVE);
                    checkNode(step.partner, level - 1);
                    step.partnerIsLeft = false;
                }
            }
            path.add(step);
            cur = c;
        }
        return path;
    }

    private static void releaseSteps(MiniTransaction mtr, List<Step> path) {
        for (Step s : path) {
            mtr.release(s.node);
            if (s.partner != null) {
                mtr.release(s.partner);
            }
        }
    }

    /** Inserts a cell into the node at {@code path[i]}, splitting it (and up the path) if it does not fit. */
    private void insertInto(MiniTransaction mtr, List<Step> path, int i, int slot, byte[] key, byte[] value) {
        PageRef node = path.get(i).node;
        byte[] p = node.bytes();
        if (SlottedPage.fits(p, SlottedPage.cellBytes(key.length, value.length))) {
            mtr.apply(node, new PageOps.InsertCell(slot, key, value));
            return;
        }
        List<Cell> cells = SlottedPage.cells(p);
        cells.add(slot, new Cell(key, value));
        overflow(mtr, path, i, cells, slot, slot == cells.size() - 1);
    }

    /**
     * The node at {@code path[i]} must hold {@code cells}, which do not fit one page: split it. Its first
     * {@code unchanged} cells are the same as now. {@code appended}: the one new cell is the last (sequential
     * inserts), which lets the rightmost node split unevenly and stay full.
     */
    private void overflow(MiniTransaction mtr, List<Step> path, int i, List<Cell> cells, int unchanged,
                          boolean appended) {
        Step step = path.get(i);
        PageRef node = step.node;
        byte[] p = node.bytes();
        int level = PageFormat.level(p);
        boolean leaf = level == 0;
        if (node.pageNo() == rootPageNo) {
            splitRoot(mtr, node, cells);
            return;
        }
        if (i == 0) {
            throw new IllegalStateException("page " + node.pageNo() + " of index " + indexId
                    + " overflowed although its descent judged it safe: parent not held");
        }
        int n = cells.size();
        int m;
        if (leaf) {
            m = appended && PageFormat.getLong(p, PageFormat.NEXT_PAGE_OFFSET) == PageFormat.NO_PAGE
                    ? n - 1 : chooseSplit(cells, false);
        } else {
            m = appended && step.rightmost ? n - 2 : chooseSplit(cells, true);
        }
        checkSplitPoint(m, n);
        long nextNo = PageFormat.getLong(p, PageFormat.NEXT_PAGE_OFFSET);
        // The right neighbour before the allocation: page 0 comes after every tree page in latch order.
        PageRef rightNeighbour = leaf && nextNo != PageFormat.NO_PAGE ? mtr.fix(nextNo, LatchMode.EXCLUSIVE) : null;
        if (rightNeighbour != null) {
            checkNode(rightNeighbour, 0);
        }
        PageRef right = PageAllocator.allocate(mtr);
        long rightNo = right.pageNo();
        changes.splits.increment();
        int keep = Math.min(unchanged, m);
        mtr.apply(node, new PageOps.TruncateSlots(keep));
        if (keep < m) {
            mtr.apply(node, new PageOps.InsertCells(keep, cells.subList(keep, m)));
        }
        byte[] separator;
        if (leaf) {
            mtr.apply(right, new PageOps.InitPage(rightNo, PageType.BTREE_LEAF, indexId, 0, node.pageNo(), nextNo,
                    PageFormat.NO_PAGE));
            mtr.apply(right, new PageOps.InsertCells(0, cells.subList(m, n)));
            mtr.apply(node, PageOps.WriteBytes.ofLong(PageFormat.NEXT_PAGE_OFFSET, rightNo));
            if (rightNeighbour != null) {
                mtr.apply(rightNeighbour, PageOps.WriteBytes.ofLong(PageFormat.PREV_PAGE_OFFSET, rightNo));
            }
            separator = shortestSeparator(cells.get(m - 1).key(), cells.get(m).key());
        } else {
            mtr.apply(right, new PageOps.InitPage(rightNo, PageType.BTREE_INTERNAL, indexId, level,
                    PageFormat.NO_PAGE, PageFormat.NO_PAGE, childOf(cells.get(m))));
            mtr.apply(right, new PageOps.InsertCells(0, cells.subList(m + 1, n)));
            separator = cells.get(m).key();
        }
        insertInto(mtr, path, i - 1, step.index + 1, separator, pageNoBytes(rightNo));
    }

    /** The root must hold {@code cells}, which do not fit: move them to two new children, root one level up. */
    private void splitRoot(MiniTransaction mtr, PageRef root, List<Cell> cells) {
        byte[] p = root.bytes();
        int level = PageFormat.level(p);
        long leftmost = PageFormat.getLong(p, PageFormat.SPECIAL_OFFSET);
        PageRef a = PageAllocator.allocate(mtr);
        PageRef b = PageAllocator.allocate(mtr);
        changes.rootSplits.increment();
        int n = cells.size();
        byte[] separator;
        if (level == 0) {
            int m = chooseSplit(cells, false);
            checkSplitPoint(m, n);
            mtr.apply(a, new PageOps.InitPage(a.pageNo(), PageType.BTREE_LEAF, indexId, 0, PageFormat.NO_PAGE,
                    b.pageNo(), PageFormat.NO_PAGE));
            mtr.apply(a, new PageOps.InsertCells(0, cells.subList(0, m)));
            mtr.apply(b, new PageOps.InitPage(b.pageNo(), PageType.BTREE_LEAF, indexId, 0, a.pageNo(),
                    PageFormat.NO_PAGE, PageFormat.NO_PAGE));
            mtr.apply(b, new PageOps.InsertCells(0, cells.subList(m, n)));
            separator = shortestSeparator(cells.get(m - 1).key(), cells.get(m).key());
        } else {
            int m = chooseSplit(cells, true);
            checkSplitPoint(m, n);
            mtr.apply(a, new PageOps.InitPage(a.pageNo(), PageType.BTREE_INTERNAL, indexId, level,
                    PageFormat.NO_PAGE, PageFormat.NO_PAGE, leftmost));
            mtr.apply(a, new PageOps.InsertCells(0, cells.subList(0, m)));
            mtr.apply(b, new PageOps.InitPage(b.pageNo(), PageType.BTREE_INTERNAL, indexId, level,
                    PageFormat.NO_PAGE, PageFormat.NO_PAGE, childOf(cells.get(m))));
            mtr.apply(b, new PageOps.InsertCells(0, cells.subList(m + 1, n)));
            separator = cells.get(m).key();
        }
        mtr.apply(root, new PageOps.InitPage(rootPageNo, PageType.BTREE_INTERNAL, indexId, level + 1,
                PageFormat.NO_PAGE, PageFormat.NO_PAGE, a.pageNo()));
        mtr.apply(root, new PageOps.InsertCell(0, separator, pageNoBytes(b.pageNo())));
    }

    /**
     * Split point of an over-full cell list, balancing bytes. Without {@code promote} the halves are
     * {@code [0, m)} and {@code [m, n)}; with it (internal nodes) cell {@code m} moves up and the halves are
     * {@code [0, m)} and {@code (m, n)}. Both halves fit a page and are non-empty.
     */
    static int chooseSplit(List<Cell> cells, boolean promote) {
        int n = cells.size();
        int[] prefix = new int[n + 1];
        for (int k = 0; k < n; k++) {
            prefix[k + 1] = prefix[k] + cells.get(k).bytesWithSlot();
        }
        int best = -1;
        long bestDiff = Long.MAX_VALUE;
        int hi = promote ? n - 2 : n - 1;
        for (int m = 1; m <= hi; m++) {
            int left = prefix[m];
            int right = prefix[n] - prefix[promote ? m + 1 : m];
            if (left <= SlottedPage.USABLE_BYTES && right <= SlottedPage.USABLE_BYTES) {
                long diff = Math.abs((long) left - right);
                if (diff < bestDiff) {
                    bestDiff = diff;
                    best = m;
                }
            }
        }
        return best;
    }

    private static void checkSplitPoint(int m, int n) {
        if (m < 1 || m >= n) {
            throw new IllegalStateException("no split point for " + n + " cells (got " + m
                    + "): cell limits must guarantee two halves that fit");
        }
    }

    /**
     * After a delete or shrink at {@code path[i]}: collapse the root if it is an internal node with one child, or
     * merge/redistribute an underfull non-root node with its partner, propagating merges upwards.
     */
    private void rebalance(MiniTransaction mtr, List<Step> path, int i) {
        Step step = path.get(i);
        PageRef node = step.node;
        byte[] p = node.bytes();
        if (node.pageNo() == rootPageNo) {
            if (PageFormat.level(p) > 0 && SlottedPage.slotCount(p) == 0) {
                collapseRoot(mtr, node);
            }
            return;
        }
        if (SlottedPage.usedBytes(p) >= UNDERFULL_BYTES || step.partner == null) {
            return; // full enough, or an only child: stays as it is
        }
        PageRef parent = path.get(i - 1).node;
        PageRef left = step.partnerIsLeft ? step.partner : node;
        PageRef right = step.partnerIsLeft ? node : step.partner;
        int separatorSlot = step.partnerIsLeft ? step.index : step.index + 1;
        long pointed = SlottedPage.valueAsLong(parent.bytes(), separatorSlot);
        if (pointed != right.pageNo()) {
            throw new IllegalStateException("parent " + parent.pageNo() + " slot " + separatorSlot + " points at "
                    + pointed + ", expected the right partner " + right.pageNo());
        }
        boolean leaf = PageFormat.level(p) == 0;
        if (tryMerge(mtr, parent, separatorSlot, left, right, leaf)) {
            mtr.apply(parent, new PageOps.DeleteCell(separatorSlot));
            rebalance(mtr, path, i - 1);
        } else {
            redistribute(mtr, parent, separatorSlot, left, right, leaf);
        }
    }

    /** Moves all of {@code right} into {@code left} and frees {@code right}, if it fits. */
    private boolean tryMerge(MiniTransaction mtr, PageRef parent, int separatorSlot, PageRef left, PageRef right,
                             boolean leaf) {
        byte[] l = left.bytes();
        byte[] r = right.bytes();
        List<Cell> moved = SlottedPage.cells(r);
        if (!leaf) {
            moved.addFirst(new Cell(SlottedPage.key(parent.bytes(), separatorSlot),
                    pageNoBytes(PageFormat.getLong(r, PageFormat.SPECIAL_OFFSET))));
        }
        int need = 0;
        for (Cell c : moved) {
            need += c.bytesWithSlot();
        }
        if (need > SlottedPage.freeBytes(l)) {
            return false;
        }
        long nextNo = PageFormat.getLong(r, PageFormat.NEXT_PAGE_OFFSET);
        PageRef rightNeighbour = leaf && nextNo != PageFormat.NO_PAGE ? mtr.fix(nextNo, LatchMode.EXCLUSIVE) : null;
        if (rightNeighbour != null) {
            checkNode(rightNeighbour, 0);
        }
        if (!moved.isEmpty()) {
            mtr.apply(left, new PageOps.InsertCells(SlottedPage.slotCount(l), moved));
        }
        if (leaf) {
            mtr.apply(left, PageOps.WriteBytes.ofLong(PageFormat.NEXT_PAGE_OFFSET, nextNo));
            if (rightNeighbour != null) {
                mtr.apply(rightNeighbour, PageOps.WriteBytes.ofLong(PageFormat.PREV_PAGE_OFFSET, left.pageNo()));
            }
        }
        PageAllocator.free(mtr, right);
        changes.merges.increment();
        return true;
    }

    /** Evens out the bytes of two siblings whose cells do not fit one page; skipped if the parent has no room. */
    private void redistribute(MiniTransaction mtr, PageRef parent, int separatorSlot, PageRef left, PageRef right,
                              boolean leaf) {
        byte[] l = left.bytes();
        byte[] r = right.bytes();
        byte[] pp = parent.bytes();
        int nl = SlottedPage.slotCount(l);
        List<Cell> all = SlottedPage.cells(l);
        if (!leaf) {
            all.add(new Cell(SlottedPage.key(pp, separatorSlot),
                    pageNoBytes(PageFormat.getLong(r, PageFormat.SPECIAL_OFFSET))));
        }
        all.addAll(SlottedPage.cells(r));
        int m = chooseSplit(all, !leaf);
        if (m < 0 || m == nl) {
            return;
        }
        byte[] separator = leaf ? shortestSeparator(all.get(m - 1).key(), all.get(m).key()) : all.get(m).key();
        int oldBytes = SlottedPage.cellBytesAt(pp, separatorSlot);
        if (SlottedPage.freeBytes(pp) + oldBytes < SlottedPage.cellBytes(separator.length, Long.BYTES)) {
            changes.redistributionsSkipped.increment();
            return; // the parent cannot take the new separator; leave the pair as it is
        }
        if (leaf) {
            if (m > nl) {
                mtr.apply(left, new PageOps.InsertCells(nl, all.subList(nl, m)));
                mtr.apply(right, new PageOps.DeleteCells(0, m - nl));
            } else {
                mtr.apply(right, new PageOps.InsertCells(0, all.subList(m, nl)));
                mtr.apply(left, new PageOps.TruncateSlots(m));
            }
        } else {
            if (m > nl) {
                mtr.apply(left, new PageOps.InsertCells(nl, all.subList(nl, m)));
                mtr.apply(right, new PageOps.DeleteCells(0, m - nl));
            } else {
                mtr.apply(right, new PageOps.InsertCells(0, all.subList(m + 1, nl + 1)));
                mtr.apply(left, new PageOps.TruncateSlots(m));
            }
            mtr.apply(right, PageOps.WriteBytes.ofLong(PageFormat.SPECIAL_OFFSET, childOf(all.get(m))));
        }
        mtr.apply(parent, new PageOps.DeleteCell(separatorSlot));
        mtr.apply(parent, new PageOps.InsertCell(separatorSlot, separator, pageNoBytes(right.pageNo())));
        changes.redistributions.increment();
    }

    /** The root is an internal node with a single child: move the child's contents up and free the child. */
    private void collapseRoot(MiniTransaction mtr, PageRef root) {
        long childNo = PageFormat.getLong(root.bytes(), PageFormat.SPECIAL_OFFSET);
        if (!mtr.holds(childNo)) {
            throw new IllegalStateException("collapsing root " + rootPageNo + " of index " + indexId
                    + ": its only child " + childNo + " is not latched by this MTR");
        }
        PageRef child = mtr.fix(childNo, LatchMode.EXCLUSIVE);
        byte[] c = child.bytes();
        List<Cell> cells = SlottedPage.cells(c);
        mtr.apply(root, new PageOps.InitPage(rootPageNo, PageFormat.type(c), indexId, PageFormat.level(c),
                PageFormat.NO_PAGE, PageFormat.NO_PAGE, PageFormat.getLong(c, PageFormat.SPECIAL_OFFSET)));
        if (!cells.isEmpty()) {
            mtr.apply(root, new PageOps.InsertCells(0, cells));
        }
        PageAllocator.free(mtr, child);
        changes.rootCollapses.increment();
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** Index of the child of internal page {@code p} that covers {@code key}: largest i with sep_i <= key. */
    static int childIndex(byte[] p, byte[] key) {
        int pos = SlottedPage.search(p, key);
        return pos >= 0 ? pos : -pos - 2;
    }

    /** Index of the child that covers the keys just below {@code key}: largest i with sep_i < key. */
    static int childIndexBelow(byte[] p, byte[] key) {
        int pos = SlottedPage.search(p, key);
        return pos >= 0 ? pos - 1 : -pos - 2;
    }

    static long child(byte[] p, int index) {
        return index == LEFTMOST ? PageFormat.getLong(p, PageFormat.SPECIAL_OFFSET)
                : SlottedPage.valueAsLong(p, index);
    }

    private static long childOf(Cell c) {
        return PageFormat.getLong(c.value(), 0);
    }

    static byte[] pageNoBytes(long pageNo) {
        byte[] b = new byte[Long.BYTES];
        PageFormat.putLong(b, 0, pageNo);
        return b;
    }

    /**
     * The shortest prefix of {@code high} that is greater than {@code low} (which is below {@code high}): a valid
     * separator, since everything left is {@code <= low < separator <= high}.
     */
    static byte[] shortestSeparator(byte[] low, byte[] high) {
        int n = Math.min(low.length, high.length);
        int p = 0;
        while (p < n && low[p] == high[p]) {
            p++;
        }
        if (p >= high.length) {
            throw new IllegalStateException("separator needs low < high, got low with high as a prefix");
        }
        return Arrays.copyOf(high, p + 1);
    }

    /** Checks that a fixed page is a node of this tree (at {@code level} unless -1). */
    private void checkNode(PageRef ref, int level) {
        byte[] p = ref.bytes();
        PageType type = PageFormat.type(p);
        int actual = PageFormat.level(p);
        boolean typeOk = actual == 0 ? type == PageType.BTREE_LEAF : type == PageType.BTREE_INTERNAL;
        if (!typeOk || PageFormat.ownerId(p) != indexId || (level >= 0 && actual != level)) {
            throw new IllegalStateException("page " + ref.pageNo() + " is " + type + " level " + actual + " of owner "
                    + PageFormat.ownerId(p) + ", expected a node of index " + indexId
                    + (level >= 0 ? " at level " + level : ""));
        }
    }

    // ------------------------------------------------------------------------------------------- validation

    /**
     * Checks every structural invariant and throws {@link IllegalStateException} naming the page and the rule:
     * page types and owner, levels decreasing by one to leaves all at level 0, each page's cell area consistent,
     * keys strictly ascending in each page and within the bounds its ancestors' separators give it, internal nodes
     * without sibling links, leaves linked both ways in key order from a first leaf without prev to a last without
     * next, every page reached exactly once (no cycles or shared children), non-root leaves non-empty unless their
     * parent has a single child. Takes SHARED latches one page at a time: run it on a quiescent tree (tests).
     */
    public TreeStats validate() {
        Validation v = new Validation();
        v.visit(rootPageNo, -1, null, null, true, 1);
        for (int k = 0; k < v.leaves.size(); k++) {
            long[] leaf = v.leaves.get(k);
            long expectedPrev = k == 0 ? PageFormat.NO_PAGE : v.leaves.get(k - 1)[0];
            long expectedNext = k == v.leaves.size() - 1 ? PageFormat.NO_PAGE : v.leaves.get(k + 1)[0];
            if (leaf[1] != expectedPrev || leaf[2] != expectedNext) {
                throw new IllegalStateException("index " + indexId + ": leaf " + leaf[0] + " links prev=" + leaf[1]
                        + " next=" + leaf[2] + ", key order says prev=" + expectedPrev + " next=" + expectedNext);
            }
        }
        return new TreeStats(v.height, v.internal, v.leaves.size(), v.keys, v.seen, v.underfull);
    }

    private final class Validation {
        final Set<Long> seen = new HashSet<>();
        /** Leaves in key order: pageNo, prev, next. */
        final List<long[]> leaves = new ArrayList<>();
        int height = -1;
        int internal;
        long keys;
        int underfull;

        void visit(long pageNo, int expectedLevel, byte[] low, byte[] high, boolean root, int parentChildren) {
            if (!seen.add(pageNo)) {
                throw new IllegalStateException("index " + indexId + ": page " + pageNo
                        + " is reached twice (cycle or shared child)");
            }
            byte[] p;
            PageRef ref = pages.fix(pageNo, LatchMode.SHARED);
            try {
                p = ref.bytes().clone();
            } finally {
                ref.release();
            }
            String where = "index " + indexId + " page " + pageNo + ": ";
            if (PageFormat.pageNo(p) != pageNo) {
                throw new IllegalStateException(where + "header says page " + PageFormat.pageNo(p));
            }
            if (PageFormat.ownerId(p) != indexId) {
                throw new IllegalStateException(where + "owner " + PageFormat.ownerId(p));
            }
            int level = PageFormat.level(p);
            if (root) {
                height = level + 1;
            } else if (level != expectedLevel) {
                throw new IllegalStateException(where + "level " + level + ", parent expects " + expectedLevel);
            }
            PageType type = PageFormat.type(p);
            PageType expectedType = level == 0 ? PageType.BTREE_LEAF : PageType.BTREE_INTERNAL;
            if (type != expectedType) {
                throw new IllegalStateException(where + "type " + type + " at level " + level);
            }
            SlottedPage.check(p);
            int n = SlottedPage.slotCount(p);
            byte[] prevKey = null;
            for (int s = 0; s < n; s++) {
                byte[] k = SlottedPage.key(p, s);
                if (k.length > SlottedPage.MAX_KEY_BYTES) {
                    throw new IllegalStateException(where + "key " + s + " has " + k.length + " bytes");
                }
                if (prevKey != null && Arrays.compareUnsigned(prevKey, k) >= 0) {
                    throw new IllegalStateException(where + "key " + s + " not above key " + (s - 1));
                }
                if (low != null && Arrays.compareUnsigned(k, low) < 0) {
                    throw new IllegalStateException(where + "key " + s + " below the separator bounding the page");
                }
                if (high != null && Arrays.compareUnsigned(k, high) >= 0) {
                    throw new IllegalStateException(where + "key " + s + " at or above the next separator");
                }
                prevKey = k;
            }
            if (!root && SlottedPage.usedBytes(p) < UNDERFULL_BYTES) {
                underfull++;
            }
            long prev = PageFormat.getLong(p, PageFormat.PREV_PAGE_OFFSET);
            long next = PageFormat.getLong(p, PageFormat.NEXT_PAGE_OFFSET);
            if (level == 0) {
                if (!root && n == 0 && parentChildren > 1) {
                    throw new IllegalStateException(where + "empty non-root leaf with " + (parentChildren - 1)
                            + " sibling(s): it should have been merged");
                }
                keys += n;
                leaves.add(new long[] {pageNo, prev, next});
                return;
            }
            internal++;
            if (prev != PageFormat.NO_PAGE || next != PageFormat.NO_PAGE) {
                throw new IllegalStateException(where + "internal node with sibling links " + prev + "/" + next);
            }
            for (int s = 0; s < n; s++) {
                long c = SlottedPage.valueAsLong(p, s);
                if (c == PageFormat.NO_PAGE) {
                    throw new IllegalStateException(where + "cell " + s + " has no child");
                }
            }
            long leftmost = PageFormat.getLong(p, PageFormat.SPECIAL_OFFSET);
            if (leftmost == PageFormat.NO_PAGE) {
                throw new IllegalStateException(where + "internal node without leftmost child");
            }
            visit(leftmost, level - 1, low, n > 0 ? SlottedPage.key(p, 0) : high, false, n + 1);
            for (int s = 0; s < n; s++) {
                visit(SlottedPage.valueAsLong(p, s), level - 1, SlottedPage.key(p, s),
                        s + 1 < n ? SlottedPage.key(p, s + 1) : high, false, n + 1);
            }
        }
    }
}
