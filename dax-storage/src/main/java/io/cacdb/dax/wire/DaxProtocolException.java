package io.cacdb.dax.wire;

/** A frame that violates the protocol (bad length, version, opcode or body). Operating error, never asserted. */
public final class DaxProtocolException extends RuntimeException {

    private final Status status;

    public DaxProtocolException(Status status, String message) {
        super(message);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
