package io.cacdb.dax.client;

/**
 * No connection to a server: connect refused or timed out, connection lost with the request in flight, the
 * reconnect backoff still running, or the server cut off by injected network conditions. The request may or may not
 * have taken effect if it had been sent. Retryable; quorum operations route around it.
 */
public final class ServerUnreachableException extends DaxException {

    private final String serverId;

    public ServerUnreachableException(String serverId, String reason) {
        super(serverId + " unreachable: " + reason);
        this.serverId = serverId;
    }

    public ServerUnreachableException(String serverId, String reason, Throwable cause) {
        super(serverId + " unreachable: " + reason, cause);
        this.serverId = serverId;
    }

    public String serverId() {
        return serverId;
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
