package io.cacdb.ioscheduler;

/**
 * Operating error: the queue of an IO class is at its capacity, so the IO was not accepted. The caller should back
 * off and retry later (or shed the work); the scheduler did not run the operation.
 */
public final class IoQueueFullException extends RuntimeException {

    private final IoClass ioClass;
    private final int queueCapacity;

    public IoQueueFullException(IoClass ioClass, int queueCapacity, int inFlight) {
        super("IO queue of class " + ioClass + " is full (" + queueCapacity + " queued, " + inFlight
                + " in flight); back off and retry, or raise ioscheduler queue capacity for " + ioClass);
        this.ioClass = ioClass;
        this.queueCapacity = queueCapacity;
    }

    public IoClass ioClass() {
        return ioClass;
    }

    public int queueCapacity() {
        return queueCapacity;
    }
}
