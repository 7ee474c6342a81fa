package io.cacdb.dax.client;

import java.time.Duration;

/** A server did not answer a request within its deadline. The request may or may not have taken effect. */
public final class DaxTimeoutException extends DaxException {

    private final String serverId;

    public DaxTimeoutException(String serverId, String operation, Duration timeout) {
        super(operation + " to " + serverId + " timed out after " + timeout.toMillis() + " ms");
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
