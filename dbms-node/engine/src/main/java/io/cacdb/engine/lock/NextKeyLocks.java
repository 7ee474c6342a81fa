package io.cacdb.engine.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The key-range (next-key) locking protocol, as calls the transaction layer makes around its B+tree operations. The
 * protocol, its table of locks per operation and isolation level, and why it prevents phantoms are in
 * {@code docs/locking.md}; in short:
 * <ul>
 *   <li>every row operation first takes an intention lock on the index (IS to read, IX to write) until commit, so
 *       that DDL and TRUNCATE (S or X on the index) wait for it;</li>
 *   <li>a scan locks every key it returns and the key after its range (or the supremum) in S; SERIALIZABLE keeps them
 *       until commit, READ COMMITTED only while it reads the row ({@link ShortLocks});</li>
 *   <li>an insert of k takes, in SERIALIZABLE, X on the key after k for the duration of the insert (which waits for a
 *       scanner whose range covers k), then X on k until commit;</li>
 *   <li>an update keeps X on its key until commit; a delete keeps X on its key and on the key after it until commit
 *       (the delete removes the key physically, so the gap it leaves belongs to the next key).</li>
 * </ul>
 * "The key after" is supplied by the caller, read from the B+tree: {@code null} means there is none and the index's
 * supremum stands for it. The caller must not hold page latches while calling (a lock wait would block latch
 * holders) and must re-check the B+tree after a call returns, since neighbours may have changed while it waited: if
 * the key after is no longer the one it locked, it calls again with the new one. Thread use is that of
 * {@link LockManager}: one transaction's calls are sequential.
 */
public final class NextKeyLocks {

    private final LockManager locks;

    public NextKeyLocks(LockManager locks) {
        this.locks = Objects.requireNonNull(locks, "locks");
    }

    public LockManager lockManager() {
        return locks;
    }

    /**
     * Locks a key a scan or point read returns, before the row is read. SERIALIZABLE: S until commit; READ
     * COMMITTED: S until the returned handle is closed, right after the row has been read.
     */
    public ShortLocks lockForRead(long txnId, IsolationLevel isolation, long indexId, byte[] key) {
        return lockForRangeScan(txnId, isolation, indexId, List.of(key), false, null);
    }

    /**
     * Locks the end of a scanned range: the first key after the range ({@code nextKey}), or the supremum if the range
     * runs to the end of the index ({@code nextKey == null}). Also what a point read that finds no key locks: the
     * gap where the key would be. SERIALIZABLE: S until commit, so nothing can be inserted into the range (an insert
     * needs X on this key). READ COMMITTED: S until the handle is closed, which waits for a transaction that deleted
     * a key in the gap and has not committed (it holds X on this key), so the scan does not see an uncommitted delete.
     */
    public ShortLocks lockRangeEnd(long txnId, IsolationLevel isolation, long indexId, byte[] nextKey) {
        return lockForRangeScan(txnId, isolation, indexId, List.of(), true, nextKey);
    }

    /**
     * A whole range at once: S on each of {@code keys} (the keys the scan returns, in scan order) and on the key
     * after the range ({@code nextKey}, or the supremum when null); durations as in {@link #lockForRead} and
     * {@link #lockRangeEnd}.
     */
    public ShortLocks lockForRangeScan(long txnId, IsolationLevel isolation, long indexId, List<byte[]> keys,
                                       byte[] nextKey) {
        return lockForRangeScan(txnId, isolation, indexId, keys, true, nextKey);
    }

    private ShortLocks lockForRangeScan(long txnId, IsolationLevel isolation, long indexId, List<byte[]> keys,
                                        boolean lockEnd, byte[] nextKey) {
        Objects.requireNonNull(isolation, "isolation");
        locks.lock(txnId, LockResource.index(indexId), LockMode.IS);
        List<LockResource> shortOnes = new ArrayList<>();
        try {
            for (byte[] key : keys) {
                lockFor(txnId, isolation, LockResource.key(indexId, key), LockMode.S, shortOnes);
            }
            if (lockEnd) {
                lockFor(txnId, isolation, LockResource.keyOrSupremum(indexId, nextKey), LockMode.S, shortOnes);
            }
        } catch (RuntimeException e) {
            releaseShort(txnId, shortOnes);
            throw e;
        }
        return new ShortLocks(locks, txnId, shortOnes);
    }

    /**
     * Locks for inserting {@code key} before the B+tree insert; {@code nextKey} is the key after {@code key} in the
     * index now (null: the supremum). SERIALIZABLE: X on the next key, released when the returned handle is closed
     * right after the insert (it waits for any scanner whose range covers the gap), then X on {@code key} until
     * commit. READ COMMITTED: X on {@code key} until commit only. X on {@code key} is taken before the key exists:
     * it makes a concurrent insert of the same key, or a delete of it not yet committed, wait, so the uniqueness
     * check that follows sees committed state.
     */
    public ShortLocks lockForInsert(long txnId, IsolationLevel isolation, long indexId, byte[] key, byte[] nextKey) {
        Objects.requireNonNull(isolation, "isolation");
        locks.lock(txnId, LockResource.index(indexId), LockMode.IX);
        List<LockResource> shortOnes = new ArrayList<>();
        try {
            if (isolation == IsolationLevel.SERIALIZABLE) {
                lockShort(txnId, LockResource.keyOrSupremum(indexId, nextKey), LockMode.X, shortOnes);
            }
            locks.lock(txnId, LockResource.key(indexId, key), LockMode.X);
        } catch (RuntimeException e) {
            releaseShort(txnId, shortOnes);
            throw e;
        }
        return new ShortLocks(locks, txnId, shortOnes);
    }

    /** Locks for changing the value of {@code key} in place: X on it until commit, at every isolation level. */
    public void lockForUpdate(long txnId, long indexId, byte[] key) {
        locks.lock(txnId, LockResource.index(indexId), LockMode.IX);
        locks.lock(txnId, LockResource.key(indexId, key), LockMode.X);
    }

    /**
     * Locks for deleting {@code key}; {@code nextKey} is the key after it (null: the supremum). X on both until
     * commit, at every isolation level: the key is removed physically, and X on the next key is what makes a reader
     * of the gap wait for this transaction to end (and, under SERIALIZABLE, what keeps an insert out of the gap
     * that a rollback of the delete would refill).
     */
    public void lockForDelete(long txnId, long indexId, byte[] key, byte[] nextKey) {
        locks.lock(txnId, LockResource.index(indexId), LockMode.IX);
        locks.lock(txnId, LockResource.key(indexId, key), LockMode.X);
        locks.lock(txnId, LockResource.keyOrSupremum(indexId, nextKey), LockMode.X);
    }

    /**
     * Locks a whole index until commit: S for DDL that reads its definition (CREATE INDEX on the table), X for
     * TRUNCATE, DROP and ALTER. Waits for every transaction with row locks in the index (they hold IS or IX on it).
     */
    public void lockIndex(long txnId, long indexId, LockMode mode) {
        if (mode != LockMode.S && mode != LockMode.X) {
            throw new IllegalArgumentException("an index is locked whole in S or X, got " + mode);
        }
        locks.lock(txnId, LockResource.index(indexId), mode);
    }

    private void lockFor(long txnId, IsolationLevel isolation, LockResource r, LockMode mode,
                         List<LockResource> shortOnes) {
        if (isolation == IsolationLevel.SERIALIZABLE) {
            locks.lock(txnId, r, mode);
        } else {
            lockShort(txnId, r, mode, shortOnes);
        }
    }

    /** Locks {@code r}; remembers it for release unless the transaction held it already (then it stays). */
    private void lockShort(long txnId, LockResource r, LockMode mode, List<LockResource> shortOnes) {
        boolean heldBefore = locks.heldMode(txnId, r).isPresent();
        locks.lock(txnId, r, mode);
        if (!heldBefore && !shortOnes.contains(r)) {
            shortOnes.add(r);
        }
    }

    private void releaseShort(long txnId, List<LockResource> shortOnes) {
        for (LockResource r : shortOnes) {
            locks.release(txnId, r);
        }
    }
}
