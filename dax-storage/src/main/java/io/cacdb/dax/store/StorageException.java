package io.cacdb.dax.store;

/**
 * A failure of the storage engine underneath a DAX server (I/O error, disk full, RocksDB refusing work). An operating
 * error: the server answers the affected requests with {@code INTERNAL_ERROR} and logs it once; it is never an
 * invariant failure of this process.
 */
public final class StorageException extends RuntimeException {

    private final String operation;

    public StorageException(String operation, String context, Throwable cause) {
        super(operation + " failed (" + context + "): " + (cause == null ? "" : cause.getMessage()), cause);
        this.operation = operation;
    }

    /** Which storage operation failed (for example {@code "read"} or {@code "commit"}). */
    public String operation() {
        return operation;
    }
}
