package io.cacdb.ioscheduler;

/**
 * Operating error: the scheduler was closed (the node is shutting down or stepping down), so the IO was not run.
 * Queued work fails with this when the scheduler closes; IO already in flight completes normally.
 */
public final class IoSchedulerClosedException extends RuntimeException {

    public IoSchedulerClosedException(IoClass ioClass) {
        super("IO scheduler is closed; " + ioClass + " IO was not run");
    }
}
