package io.cacdb.server.pgwire;

/**
 * Every size and count limit of the wire protocol, with why. The frame decoder checks lengths against these before it
 * buffers a byte of a message body, so one connection can make the server hold at most one message of the largest
 * size plus one socket read.
 */
public final class PgWireLimits {

    private PgWireLimits() {
    }

    /** Protocol 3.0 in a StartupMessage: major 3 in the high 16 bits, minor 0 in the low. */
    public static final int PROTOCOL_3_0 = 3 << 16;
    /** The request codes that take the place of a protocol version in the startup phase (PostgreSQL's values). */
    public static final int CANCEL_REQUEST_CODE = (1234 << 16) | 5678;
    public static final int SSL_REQUEST_CODE = (1234 << 16) | 5679;
    public static final int GSSENC_REQUEST_CODE = (1234 << 16) | 5680;

    /** Smallest startup-phase packet: the length word and the protocol or request code. */
    public static final int MIN_STARTUP_PACKET_BYTES = 8;
    /** Largest startup-phase packet, length word included: PostgreSQL's MAX_STARTUP_PACKET_LENGTH. Parameters are a
     * handful of short strings. */
    public static final int MAX_STARTUP_PACKET_BYTES = 10_000;
    /** Largest number of parameters in a StartupMessage; real clients send about ten. */
    public static final int MAX_STARTUP_PARAMETERS = 64;
    /** Encryption requests (SSLRequest, GSSENCRequest) one connection may send before its StartupMessage: one of each,
     * as libpq does when both are configured. */
    public static final int MAX_ENCRYPTION_REQUESTS = 2;
    /** Exact length of a CancelRequest packet: length, code, process id, secret key. */
    public static final int CANCEL_REQUEST_BYTES = 16;

    /** Length word of a regular message (it counts itself). */
    public static final int LENGTH_FIELD_BYTES = 4;
    /**
     * Largest regular message carrying data (Bind, Parse, Query, FunctionCall, CopyData), length word included.
     * PostgreSQL allows 1 GiB; TPC-C's batched inserts bind a few hundred KiB. 64 MiB bounds what one connection can
     * make the server buffer at once while leaving room for large text and bulk loads.
     */
    public static final int MAX_DATA_MESSAGE_BYTES = 64 << 20;
    /** Largest control message (Describe, Execute, Close, Sync, Flush, Terminate, CopyDone, CopyFail): PostgreSQL's
     * PQ_SMALL_MESSAGE_LIMIT; these hold at most a name. */
    public static final int MAX_CONTROL_MESSAGE_BYTES = 10_000;
    /** Largest authentication message ('p'): PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH plus the SASL framing. */
    public static final int MAX_AUTH_MESSAGE_BYTES = 65_535 + 1_024;

    /** Largest number of parameters of one statement: the Bind count is an int16, as in PostgreSQL. */
    public static final int MAX_PARAMETERS = 65_535;
    /** Longest statement or portal name kept, in bytes: PostgreSQL truncates identifiers at NAMEDATALEN - 1 = 63 but
     * not statement names; pgjdbc uses names like {@code S_12}. A name is a key held per connection. */
    public static final int MAX_NAME_BYTES = 1_024;

    /** Named prepared statements one connection may hold: pgjdbc caches 256 by default (preparedStatementCacheQueries). */
    public static final int MAX_PREPARED_STATEMENTS = 4_096;
    /** Named portals one connection may hold open at once (open cursors of one transaction). */
    public static final int MAX_PORTALS = 1_024;

    /** Longest error or notice message field sent, in characters; longer ones are cut. */
    public static final int MAX_ERROR_FIELD_CHARS = 8_192;
}
