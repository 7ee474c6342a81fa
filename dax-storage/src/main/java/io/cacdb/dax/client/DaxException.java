package io.cacdb.dax.client;

/**
 * Base of every operating error the DAX client reports (through the failed {@link java.util.concurrent.CompletableFuture}
 * of an operation). Each subclass says what the caller should do. Programmer errors (bad arguments, broken invariants)
 * are not {@code DaxException}s.
 */
public abstract class DaxException extends RuntimeException {

    protected DaxException(String message) {
        super(message);
    }

    protected DaxException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether the same request may succeed if retried later (the client already retried within its deadline). */
    public abstract boolean retryable();
}
