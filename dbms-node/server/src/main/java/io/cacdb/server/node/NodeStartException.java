package io.cacdb.server.node;

/**
 * A node could not start: the message says which step failed (admin port, cluster map, fencing, recovery, protocol
 * port) and why. Everything the start had opened is closed again; fix the cause and start the node again.
 */
public final class NodeStartException extends RuntimeException {

    public NodeStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
