package io.cacdb.engine.lock;

/**
 * Told when a lock request starts to wait: it is in the resource's queue, so its place in the FIFO order is fixed.
 * For diagnostics (a lock-wait log) and for tests, which wait for this instead of sleeping. Called on the waiting
 * thread with no lock manager mutex held; must not block and must not call the lock manager.
 */
@FunctionalInterface
public interface LockWaitListener {

    LockWaitListener NONE = (txnId, resource, mode) -> { };

    void waiting(long txnId, LockResource resource, LockMode mode);
}
