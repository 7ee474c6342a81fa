package io.cacdb.engine.table;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.btree.BTreeCursor;
import io.cacdb.engine.btree.KeyRange;
import io.cacdb.engine.error.DuplicateKeyException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.lock.NextKeyLocks;
import io.cacdb.engine.lock.ShortLocks;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.wal.LogRecord.UndoKind;
import java.util.Arrays;

/**
 * One index's entries changed and read by one transaction under the key-range locking protocol of
 * {@link NextKeyLocks}: every change through {@link Transaction#change} with its undo, every lock taken with no page
 * latch held (B+tree calls hold latches only inside themselves), and the neighbour a lock was taken for checked
 * again after the lock is granted, since it may have changed while the transaction waited.
 *
 * <p>Point reads lock the key itself (present or not): an insert of that key needs X on it and a delete of it holds
 * X on it until commit, so S on the key alone keeps a point read repeatable and phantom-free. Scans are in
 * {@link RowCursor}.
 *
 * <p>Not thread-safe: one per transaction use, on the transaction's thread.
 */
final class IndexAccess {

    /**
     * How often an operation re-locks after finding that the neighbour it locked changed while it waited. Each round
     * follows a concurrent insert or delete next to the key, so running out means unbounded churn at one spot:
     * reported as a programmer error rather than spinning forever.
     */
    static final int NEIGHBOUR_RELOCKS_MAX = 10_000;

    private final Transaction txn;
    private final BTree tree;
    private final String indexName;

    IndexAccess(Transaction txn, BTree tree, String indexName) {
        this.txn = txn;
        this.tree = tree;
        this.indexName = indexName;
    }

    long indexId() {
        return tree.indexId();
    }

    BTree tree() {
        return tree;
    }

    String indexName() {
        return indexName;
    }

    private NextKeyLocks locks() {
        return txn.locks();
    }

    /** The first key strictly after {@code key}, or null if there is none. */
    byte[] keyAfter(byte[] key) {
        BTreeCursor c = tree.cursor(new KeyRange(key, false, null, false), true);
        return c.next() ? c.key() : null;
    }

    /**
     * Inserts a new entry; {@link DuplicateKeyException} (naming this index) if the key is present, with nothing
     * changed (the key stays X-locked: that is what made the check see committed state).
     */
    void insert(byte[] key, byte[] value) {
        for (int round = 0; ; round++) {
            checkRounds(round, "insert");
            byte[] next = keyAfter(key);
            try (ShortLocks gap = locks().lockForInsert(txn.id(), txn.isolation(), indexId(), key, next)) {
                if (txn.isolation() == IsolationLevel.SERIALIZABLE && !Arrays.equals(next, keyAfter(key))) {
                    continue; // the gap's owner changed while we waited; lock the new one
                }
                if (tree.get(key) != null) {
                    throw new DuplicateKeyException(indexName, indexId(), key);
                }
                try {
                    txn.change(indexId(), mtr -> {
                        tree.insert(mtr, key, value);
                        return Transaction.Change.of(null, UndoKind.UNDO_INSERT, key, null);
                    });
                } catch (DuplicateKeyException e) {
                    throw new IllegalStateException("index " + indexName + ": key inserted by another transaction"
                            + " while this one held X on it", e);
                }
                return;
            }
        }
    }

    /** Replaces the value of an existing entry; returns the old value, or null (nothing changed) if absent. */
    byte[] update(byte[] key, byte[] value) {
        locks().lockForUpdate(txn.id(), indexId(), key);
        return txn.change(indexId(), mtr -> {
            byte[] old = tree.update(mtr, key, value);
            return old == null ? Transaction.Change.none(null)
                    : Transaction.Change.of(old, UndoKind.UNDO_UPDATE, key, old);
        });
    }

    /** Deletes an entry; returns its value, or null (nothing changed) if absent. */
    byte[] delete(byte[] key) {
        for (int round = 0; ; round++) {
            checkRounds(round, "delete");
            byte[] next = keyAfter(key);
            locks().lockForDelete(txn.id(), indexId(), key, next);
            if (!Arrays.equals(next, keyAfter(key))) {
                continue; // the next key changed while we waited: the gap we leave must belong to the new one
            }
            return txn.change(indexId(), mtr -> {
                byte[] old = tree.delete(mtr, key);
                return old == null ? Transaction.Change.none(null)
                        : Transaction.Change.of(old, UndoKind.UNDO_DELETE, key, old);
            });
        }
    }

    /** The value of {@code key}, or null; S-locked per the isolation level (held until commit, or just the read). */
    byte[] get(byte[] key) {
        try (ShortLocks l = locks().lockForRead(txn.id(), txn.isolation(), indexId(), key)) {
            return tree.get(key);
        }
    }

    /** Changes without row locks, for DDL that holds the whole table (index build): logged and undoable. */
    void insertUnlocked(byte[] key, byte[] value) {
        try {
            txn.change(indexId(), mtr -> {
                tree.insert(mtr, key, value);
                return Transaction.Change.of(null, UndoKind.UNDO_INSERT, key, null);
            });
        } catch (DuplicateKeyException e) {
            throw new DuplicateKeyException(indexName, indexId(), key);
        }
    }

    private void checkRounds(int round, String what) {
        if (round >= NEIGHBOUR_RELOCKS_MAX) {
            throw new IllegalStateException(what + " in index " + indexName + " re-locked its neighbour " + round
                    + " times; the neighbourhood never settled");
        }
    }
}
