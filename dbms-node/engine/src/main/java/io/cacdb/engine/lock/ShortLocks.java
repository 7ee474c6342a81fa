package io.cacdb.engine.lock;

import java.util.List;

/**
 * Locks taken for the duration of one step (reading a row under READ COMMITTED, inserting a key under SERIALIZABLE)
 * rather than until commit. {@link #close()} releases them; it does not touch a lock the transaction already held
 * before the step (that one keeps its longer duration, in whatever mode it now has). Locks the protocol keeps until
 * commit are never in here. Used by the transaction's own thread, like the lock calls; close is idempotent.
 */
public final class ShortLocks implements AutoCloseable {

    private final LockManager locks;
    private final long txnId;
    private final List<LockResource> resources;
    private boolean closed;

    ShortLocks(LockManager locks, long txnId, List<LockResource> resources) {
        this.locks = locks;
        this.txnId = txnId;
        this.resources = List.copyOf(resources);
    }

    /** The resources {@link #close()} releases, in the order they were locked. */
    public List<LockResource> resources() {
        return resources;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (LockResource r : resources) {
            locks.release(txnId, r);
        }
    }
}
