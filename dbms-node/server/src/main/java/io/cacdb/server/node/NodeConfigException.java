package io.cacdb.server.node;

/**
 * A node configuration that cannot be used: unreadable file, unknown or repeated key, bad value, or values that
 * contradict each other. The message names the file, line and key; fix the file and start again.
 */
public final class NodeConfigException extends RuntimeException {

    public NodeConfigException(String message) {
        super(message);
    }

    public NodeConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
