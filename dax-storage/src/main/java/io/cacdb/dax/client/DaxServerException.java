package io.cacdb.dax.client;

import io.cacdb.dax.wire.Status;

/**
 * A server refused a request with a status that has no more specific exception (BAD_REQUEST, UNKNOWN_VOLUME for a
 * volume this client did not open, INTERNAL_ERROR after retries, ...). {@link #status()} says which.
 */
public final class DaxServerException extends DaxException {

    private final String serverId;
    private final Status status;
    private final long detail;

    public DaxServerException(String serverId, Status status, long detail, String message) {
        super(serverId + " answered " + status + (detail != 0 ? " (" + detail + ")" : "") + ": " + message);
        this.serverId = serverId;
        this.status = status;
        this.detail = detail;
    }

    public String serverId() {
        return serverId;
    }

    public Status status() {
        return status;
    }

    public long detail() {
        return detail;
    }

    @Override
    public boolean retryable() {
        return status.retryable();
    }
}
