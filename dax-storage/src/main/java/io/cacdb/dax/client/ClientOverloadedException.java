package io.cacdb.dax.client;

/**
 * This client already has the configured maximum of requests in flight to one server
 * ({@link DaxClientConfig#maxInFlightPerServer()}); the request was not sent. Retryable after backoff; persistent
 * occurrences mean the caller issues more than the server can absorb.
 */
public final class ClientOverloadedException extends DaxException {

    public ClientOverloadedException(String serverId, int limit) {
        super("already " + limit + " requests in flight to " + serverId + "; request not sent");
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
