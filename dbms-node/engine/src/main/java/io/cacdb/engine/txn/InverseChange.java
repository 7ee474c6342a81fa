package io.cacdb.engine.txn;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.error.DuplicateKeyException;
import io.cacdb.engine.mtr.MiniTransaction;
import io.cacdb.engine.wal.LogRecord;
import java.util.HexFormat;

/**
 * The logical inverse of one logged index change, applied through the B+tree (pages may have split or merged since
 * the change, so undo is by key, never by page). Shared by a live rollback and by recovery's undo of losers.
 *
 * <p>Under strict two-phase locking the key is still locked by the transaction being undone (or, in recovery, no one
 * else runs), so the tree must be exactly as the change left it for that key: a missing key for an undo of an insert
 * or update, or a present key for an undo of a delete, is a broken invariant and fails with
 * {@link IllegalStateException}.
 */
public final class InverseChange {

    private InverseChange() {
    }

    /** Applies the inverse of {@code kind} on {@code key} to {@code tree} in {@code mtr} (which holds no page). */
    public static void apply(MiniTransaction mtr, BTree tree, LogRecord.UndoKind kind, byte[] key, byte[] oldValue) {
        switch (kind) {
            case UNDO_INSERT -> {
                if (tree.delete(mtr, key) == null) {
                    throw missing(tree, kind, key);
                }
            }
            case UNDO_UPDATE -> {
                if (tree.update(mtr, key, oldValue) == null) {
                    throw missing(tree, kind, key);
                }
            }
            case UNDO_DELETE -> {
                try {
                    tree.insert(mtr, key, oldValue);
                } catch (DuplicateKeyException e) {
                    throw new IllegalStateException("undo of a delete in index " + tree.indexId() + " found key 0x"
                            + HexFormat.of().formatHex(key) + " present; the key was not locked by its deleter", e);
                }
            }
        }
    }

    private static IllegalStateException missing(BTree tree, LogRecord.UndoKind kind, byte[] key) {
        return new IllegalStateException(kind + " in index " + tree.indexId() + " found key 0x"
                + HexFormat.of().formatHex(key) + " absent; the key was not locked by the transaction being undone");
    }
}
