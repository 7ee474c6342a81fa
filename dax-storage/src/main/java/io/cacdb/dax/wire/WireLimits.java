package io.cacdb.dax.wire;

/** Every size limit of the DAX wire format, with why. Checked by the decoder before any allocation. */
public final class WireLimits {

    private WireLimits() {
    }

    /** The only protocol version spoken today; a frame with another version is refused and its connection closed. */
    public static final byte PROTOCOL_VERSION = 1;

    /** Largest block payload: a log block or page is at most a few tens of KiB; 1 MiB leaves room without risk. */
    public static final int MAX_BLOCK_PAYLOAD_BYTES = 1 << 20;

    /** Largest number of summaries in one SCAN response (28 bytes each): keeps a response around 230 KiB. */
    public static final int MAX_SCAN_ENTRIES = 8192;

    /** Longest error message carried in a response, in UTF-8 bytes; longer messages are cut. */
    public static final int MAX_ERROR_MESSAGE_BYTES = 1024;

    /** Longest server id or zone label in a PONG, in UTF-8 bytes. */
    public static final int MAX_LABEL_BYTES = 255;

    /** Bytes of the header after the length field: version (1), opcode (1), request id (8). */
    public static final int HEADER_BYTES = 10;

    /**
     * Largest frame (bytes after the 4-byte length field). A WRITE of the largest payload is about 1 MiB + 50 bytes;
     * 2 MiB bounds what one connection can make the server buffer.
     */
    public static final int MAX_FRAME_BYTES = 2 << 20;
}
