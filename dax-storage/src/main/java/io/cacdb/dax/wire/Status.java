package io.cacdb.dax.wire;

/**
 * Typed status codes of DAX responses. Everything except {@link #OK} travels in an {@link DaxResponse.Error}; the
 * javadoc of each says what the client library does with it.
 */
public enum Status {
    OK(0),
    /** The writer's epoch is below the volume's fenced epoch; detail = the current epoch. Final for that writer. */
    STALE_EPOCH(1),
    /** The payload does not match the CRC32C its writer sent; nothing was stored. The writer may resend. */
    CHECKSUM_MISMATCH(2),
    /** The volume was never created on this server. The client creates it there if it opened the volume. */
    UNKNOWN_VOLUME(3),
    /** Same version, different bytes: a second writer or a bug. Nothing was stored. */
    VERSION_CONFLICT(4),
    /** The stored copy fails its checksum; the reader treats this replica as missing and repairs it. */
    CORRUPT_BLOCK(5),
    /** A write below the space's truncation point (DELETE_BELOW); detail = the truncation point. Nothing stored. */
    BELOW_TRUNCATION(6),
    /** The frame was well-formed but its body was not (truncated fields, bad enum values). Connection stays open. */
    BAD_REQUEST(7),
    /** The server's bounded queues are full; retry with backoff. */
    OVERLOADED(8),
    /** The server is stopping; retry elsewhere. */
    SHUTTING_DOWN(9),
    /** An unexpected server-side failure (for example a RocksDB error), logged on the server. */
    INTERNAL_ERROR(10),
    /** The opcode is not known to this server. Connection stays open. */
    UNKNOWN_OPCODE(11),
    /** The frame's protocol version is not supported; the server closes the connection after answering. */
    UNSUPPORTED_VERSION(12),
    /** The frame is larger than the server accepts; the server closes the connection after answering. */
    FRAME_TOO_LARGE(13);

    private final int code;

    Status(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Decodes a status, or null when unknown (a client treats it as a protocol error). */
    public static Status fromCode(int code) {
        for (Status s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }

    /** Whether the same request may succeed if retried later against the same server. */
    public boolean retryable() {
        return this == OVERLOADED || this == SHUTTING_DOWN || this == INTERNAL_ERROR || this == CHECKSUM_MISMATCH;
    }
}
