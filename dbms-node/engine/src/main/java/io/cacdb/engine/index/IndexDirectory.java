package io.cacdb.engine.index;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.btree.BTreeCursor;
import io.cacdb.engine.btree.KeyRange;
import io.cacdb.engine.error.NotFoundException;
import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.PageRef;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.page.PageType;
import io.cacdb.engine.space.PageAllocator;
import io.cacdb.engine.space.SpaceHeader;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.txn.TransactionManager;
import io.cacdb.engine.wal.LogRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The storage-level registry of B+trees: which index id lives at which root page. The catalog (tables, columns,
 * index definitions) is built on top of it; this class knows nothing but ids and roots.
 *
 * <h2>Layout</h2>
 * A B+tree of its own (index id {@link #DIRECTORY_INDEX_ID}) whose root is named root slot
 * {@link #DIRECTORY_ROOT_SLOT} of the space header. Keys: {@code 0x01 ++ indexId (u64 big-endian)} → value
 * {@code rootPageNo (u64)}; the single key {@code 0x00} holds the id counter (the next id {@link #create} hands
 * out). Ids below {@link #FIRST_ALLOCATED_INDEX_ID} are reserved for the catalog's system tables, which it creates
 * with fixed ids through {@link #createReserved}.
 *
 * <h2>Transactions</h2>
 * Creating and dropping an index are logged changes of the directory tree made in the caller's transaction (X lock
 * on the directory key until commit; undo = remove / restore the mapping), so DDL commits and rolls back with the
 * transaction and the standby replays it like any change. Two things are deliberately not transactional:
 * <ul>
 *   <li>the id counter is bumped by a system MTR, so an id is never handed out twice even if its transaction rolls
 *       back;</li>
 *   <li>the new tree's root page is allocated by a system MTR before the mapping is inserted (the allocator latches
 *       page 0, which must come after every tree page, so it cannot share an MTR with the directory insert). If the
 *       transaction rolls back, or the node crashes before the mapping commits, the tree's pages <b>leak</b>: they
 *       stay allocated with no mapping. Likewise {@link #drop} removes the mapping and leaves the tree's pages
 *       allocated (freeing them before commit would make the drop impossible to undo). A later space scan can
 *       reclaim pages owned by ids absent from the directory.</li>
 * </ul>
 *
 * <p>Threads: thread-safe. {@link #tree} looks the index up in the directory on every call (one descent of a small
 * tree) and hands out one {@link BTree} instance per index and root (the tree's counters are per instance); callers
 * on a hot path (the catalog) keep the tree they resolved for the duration of their lock on the index.
 */
public final class IndexDirectory implements Transaction.IndexResolver {

    /** The directory's own tree. */
    public static final long DIRECTORY_INDEX_ID = 1;
    /** Space header root slot of the directory tree (the catalog's slot: the directory is the catalog's base). */
    public static final int DIRECTORY_ROOT_SLOT = SpaceHeader.CATALOG_ROOT_SLOT;
    /**
     * Ids {@code 2 .. FIRST_ALLOCATED_INDEX_ID - 1} are for system tables created with fixed ids; 254 of them is far
     * more than a catalog needs (PostgreSQL has ~60 system catalogs), and user ids start above.
     */
    public static final long FIRST_ALLOCATED_INDEX_ID = 256;

    private static final byte[] COUNTER_KEY = {0x00};
    private static final byte ENTRY_PREFIX = 0x01;

    /** An index and its root page. */
    public record Entry(long indexId, long rootPageNo) {
    }

    private final TransactionManager txns;
    private final PageSource pages;
    private final BTree directory;
    private final ConcurrentHashMap<Long, BTree> trees = new ConcurrentHashMap<>();
    /** Serialises id allocation: read counter, write counter + 1. */
    private final ReentrantLock counterLock = new ReentrantLock();

    private IndexDirectory(TransactionManager txns, long rootPageNo) {
        this.txns = txns;
        this.pages = txns.pageSource();
        this.directory = new BTree(pages, DIRECTORY_INDEX_ID, rootPageNo);
    }

    /** Whether the volume behind {@code pages} has a space header and a directory. */
    public static boolean isFormatted(PageSource pages) {
        PageRef header;
        try {
            header = pages.fix(PageFormat.SPACE_HEADER_PAGE_NO, LatchMode.SHARED);
        } catch (io.cacdb.engine.bufferpool.PageNotFoundException e) {
            return false;
        }
        try {
            byte[] p = header.bytes();
            return PageFormat.type(p) == PageType.SPACE_HEADER
                    && SpaceHeader.root(p, DIRECTORY_ROOT_SLOT) != PageFormat.NO_PAGE;
        } finally {
            header.release();
        }
    }

    /**
     * Formats a fresh volume in one system MTR: page 0 (space header), the directory tree's root leaf, its root slot
     * and the id counter. Atomic: after a crash the volume is either unformatted or fully formatted.
     */
    public static void format(TransactionManager txns) {
        txns.runMtr(0, mtr -> {
            PageAllocator.format(mtr);
            BTree dir = BTree.create(mtr, DIRECTORY_INDEX_ID);
            PageAllocator.setRoot(mtr, DIRECTORY_ROOT_SLOT, dir.rootPageNo());
            PageRef root = mtr.fix(dir.rootPageNo(), LatchMode.EXCLUSIVE);
            mtr.apply(root, new PageOps.InsertCell(0, COUNTER_KEY, u64(FIRST_ALLOCATED_INDEX_ID)));
            return null;
        }, null);
    }

    /** Opens the directory of a formatted volume. */
    public static IndexDirectory open(TransactionManager txns) {
        long root = PageAllocator.root(txns.pageSource(), DIRECTORY_ROOT_SLOT);
        if (root == PageFormat.NO_PAGE) {
            throw new IllegalStateException("the volume has no index directory (root slot " + DIRECTORY_ROOT_SLOT
                    + " unset); format it first");
        }
        return new IndexDirectory(txns, root);
    }

    /**
     * Creates an empty index in {@code txn} and returns its new id (never handed out before). The mapping commits or
     * rolls back with {@code txn}; see the class comment for the pages of a rolled-back create.
     */
    public long create(Transaction txn) {
        long id = nextId();
        createWithId(txn, id);
        return id;
    }

    /**
     * Creates an index with a fixed id in {@code [2, FIRST_ALLOCATED_INDEX_ID)} (the catalog's system tables).
     *
     * @throws io.cacdb.engine.error.DuplicateKeyException if the id exists
     */
    public void createReserved(Transaction txn, long indexId) {
        if (indexId <= DIRECTORY_INDEX_ID || indexId >= FIRST_ALLOCATED_INDEX_ID) {
            throw new IllegalArgumentException("reserved index ids are in [" + (DIRECTORY_INDEX_ID + 1) + ", "
                    + FIRST_ALLOCATED_INDEX_ID + "), got " + indexId);
        }
        createWithId(txn, indexId);
    }

    private void createWithId(Transaction txn, long indexId) {
        byte[] key = entryKey(indexId);
        txn.locks().lockForUpdate(txn.id(), DIRECTORY_INDEX_ID, key);
        if (directory.get(key) != null) {
            throw new io.cacdb.engine.error.DuplicateKeyException("index directory", DIRECTORY_INDEX_ID, key);
        }
        long root = txns.runMtr(0, mtr -> BTree.create(mtr, indexId).rootPageNo(), null).value();
        txn.change(DIRECTORY_INDEX_ID, mtr -> {
            directory.insert(mtr, key, u64(root));
            return Transaction.Change.of(null, LogRecord.UndoKind.UNDO_INSERT, key, null);
        });
        trees.put(indexId, new BTree(pages, indexId, root));
    }

    private long nextId() {
        counterLock.lock();
        try {
            byte[] v = directory.get(COUNTER_KEY);
            if (v == null) {
                throw new IllegalStateException("index directory has no id counter");
            }
            long next = ByteBuffer.wrap(v).getLong();
            txns.runMtr(0, mtr -> directory.update(mtr, COUNTER_KEY, u64(next + 1)), null);
            return next;
        } finally {
            counterLock.unlock();
        }
    }

    /**
     * Drops an index in {@code txn}: its mapping is removed (restored if {@code txn} rolls back). The tree's pages
     * stay allocated (see the class comment).
     *
     * @throws NotFoundException if no such index exists
     */
    public void drop(Transaction txn, long indexId) {
        if (indexId == DIRECTORY_INDEX_ID) {
            throw new IllegalArgumentException("the index directory cannot be dropped");
        }
        byte[] key = entryKey(indexId);
        txn.locks().lockForUpdate(txn.id(), DIRECTORY_INDEX_ID, key);
        boolean dropped = txn.change(DIRECTORY_INDEX_ID, mtr -> {
            byte[] old = directory.delete(mtr, key);
            return old == null ? Transaction.Change.none(false)
                    : Transaction.Change.of(true, LogRecord.UndoKind.UNDO_DELETE, key, old);
        });
        if (!dropped) {
            throw new NotFoundException("index #" + indexId + " does not exist");
        }
        trees.remove(indexId);
    }

    /**
     * The tree of an index (the directory's own for {@link #DIRECTORY_INDEX_ID}), as the transaction layer and
     * recovery resolve it. Reads the directory without locks: the catalog locks what it looks up.
     *
     * @throws NotFoundException if no such index exists
     */
    @Override
    public BTree tree(long indexId) {
        return find(indexId).orElseThrow(() -> new NotFoundException("index #" + indexId + " does not exist"));
    }

    /** The tree of an index, if it exists. */
    public Optional<BTree> find(long indexId) {
        if (indexId == DIRECTORY_INDEX_ID) {
            return Optional.of(directory);
        }
        // The directory is consulted every time: a cached tree may belong to a create that was rolled back or a drop
        // that committed since. The cache only keeps one BTree instance per (id, root) for its counters.
        byte[] v = directory.get(entryKey(indexId));
        if (v == null) {
            trees.remove(indexId);
            return Optional.empty();
        }
        long root = ByteBuffer.wrap(v).getLong();
        BTree t = trees.compute(indexId, (id, cached) -> cached != null && cached.rootPageNo() == root ? cached
                : new BTree(pages, id, root));
        return Optional.of(t);
    }

    /** Every index in the directory (not the directory itself), by id. A scan without locks. */
    public List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        BTreeCursor c = directory.cursor(new KeyRange(new byte[] {ENTRY_PREFIX}, true, null, false), true);
        while (c.next()) {
            out.add(new Entry(ByteBuffer.wrap(c.key(), 1, 8).getLong(), ByteBuffer.wrap(c.value()).getLong()));
        }
        return out;
    }

    /** The directory's own tree. */
    public BTree directoryTree() {
        return directory;
    }

    private static byte[] entryKey(long indexId) {
        return ByteBuffer.allocate(9).put(ENTRY_PREFIX).putLong(indexId).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    @Override
    public String toString() {
        return "IndexDirectory[root " + directory.rootPageNo() + "]";
    }
}
