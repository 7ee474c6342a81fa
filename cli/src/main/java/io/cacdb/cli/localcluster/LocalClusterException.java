package io.cacdb.cli.localcluster;

/**
 * A cluster command could not do its job: the directory holds a running cluster or something else, a process did
 * not become ready (the message quotes its log), the state file is unreadable. Says what to do next.
 */
public final class LocalClusterException extends Exception {

    private static final long serialVersionUID = 1L;

    public LocalClusterException(String message) {
        super(message);
    }

    public LocalClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
