package io.cacdb.server.ha;

/**
 * The lease could not be read, written or acquired: storage refused (a higher epoch fenced this node), did not
 * answer in time, or answered too late for the lease to be worth anything. The node must not serve on it.
 */
public final class LeaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LeaseException(String message, Throwable cause) {
        super(message, cause);
    }

    public LeaseException(String message) {
        super(message);
    }
}
