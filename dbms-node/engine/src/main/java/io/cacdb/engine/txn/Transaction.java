package io.cacdb.engine.txn;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.lock.NextKeyLocks;
import io.cacdb.engine.mtr.MiniTransaction;
import java.util.function.Function;

/**
 * One transaction of the engine: strict two-phase locking (through {@link #locks()}, with the transaction's id), and
 * every change to an index made as one logged mini-transaction whose first record is the change's logical undo
 * information ({@code docs/wal-format.md}). A transaction is used by one thread at a time (a client session).
 *
 * <p>Lifecycle: ACTIVE until {@code TransactionManager.commit} (durable before it returns) or
 * {@code TransactionManager.rollback}; after either, every method throws {@link IllegalStateException}.
 */
public interface Transaction {

    long id();

    IsolationLevel isolation();

    boolean isReadOnly();

    /** The lock protocol calls ({@code docs/locking.md}), to be called with {@link #id()} and {@link #isolation()}. */
    NextKeyLocks locks();

    /**
     * Makes one logged change to one index: opens a mini-transaction, lets {@code change} perform exactly one B+tree
     * operation on it and describe how to undo it, puts that {@link Undo} first in the MTR (chained to this
     * transaction's previous record), commits the MTR and remembers its LSN as this transaction's last record.
     * If {@code change} returns {@link Change#none} (nothing changed: duplicate, missing key), nothing is logged.
     *
     * @throws io.cacdb.engine.error.ReadOnlyTransactionException in a read-only transaction
     */
    <T> T change(long indexId, Function<MiniTransaction, Change<T>> change);

    /**
     * A point to roll back to: the statement layer takes one before each statement so a failed statement undoes
     * only its own changes ({@link #rollbackTo}).
     */
    Savepoint savepoint();

    /** Undoes every change made after {@code savepoint} (writing CLRs); locks stay held. */
    void rollbackTo(Savepoint savepoint);

    /** A position in this transaction's undo chain. */
    record Savepoint(long txnId, long lastLsn) {
    }

    /** How to undo one index change: the logical inverse, applied through the B+tree on rollback. */
    record Undo(io.cacdb.engine.wal.LogRecord.UndoKind kind, byte[] key, byte[] oldValue) {
    }

    /** What a change did: its result for the caller and how to undo it, or {@link #none} if nothing changed. */
    record Change<T>(T result, Undo undo) {
        public static <T> Change<T> none(T result) {
            return new Change<>(result, null);
        }

        public static <T> Change<T> of(T result, io.cacdb.engine.wal.LogRecord.UndoKind kind, byte[] key,
                byte[] oldValue) {
            return new Change<>(result, new Undo(kind, key, oldValue));
        }
    }

    /** Resolves an index id to its B+tree, for rollback and recovery undo. Implemented by the catalog. */
    @FunctionalInterface
    interface IndexResolver {
        BTree tree(long indexId);
    }
}
