package io.cacdb.dax.client;

/** The client was closed; no further operations are possible. */
public final class ClientClosedException extends DaxException {

    public ClientClosedException() {
        super("the DAX client is closed");
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
