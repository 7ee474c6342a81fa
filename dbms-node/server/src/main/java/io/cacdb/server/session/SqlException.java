package io.cacdb.server.session;

/**
 * A statement or session failed in a way the client should hear about: the typed operating error of the seam. The
 * protocol server turns it into an ErrorResponse with exactly these fields. Severity {@link Severity#ERROR} ends the
 * statement (and, in an extended-protocol pipeline, every message up to the next Sync); {@link Severity#FATAL} ends
 * the connection after the response is sent.
 *
 * <p>{@code position} is PostgreSQL's {@code P} field: a 1-based character index into the statement text, 0 when
 * absent.
 */
public final class SqlException extends Exception {

    private static final long serialVersionUID = 1L;

    private final SqlState sqlState;
    private final Severity severity;
    private final String detail;
    private final String hint;
    private final int position;

    public SqlException(SqlState sqlState, Severity severity, String message, String detail, String hint,
            int position, Throwable cause) {
        super(message, cause);
        if (!severity.isError()) {
            throw new IllegalArgumentException("an exception needs an error severity, got " + severity);
        }
        if (position < 0) {
            throw new IllegalArgumentException("position is 1-based or 0 for none, got " + position);
        }
        this.sqlState = sqlState;
        this.severity = severity;
        this.detail = detail;
        this.hint = hint;
        this.position = position;
    }

    /** An ERROR with only a SQLSTATE and a message. */
    public SqlException(SqlState sqlState, String message) {
        this(sqlState, Severity.ERROR, message, null, null, 0, null);
    }

    public static SqlException fatal(SqlState sqlState, String message) {
        return new SqlException(sqlState, Severity.FATAL, message, null, null, 0, null);
    }

    public SqlState sqlState() {
        return sqlState;
    }

    public Severity severity() {
        return severity;
    }

    /** The {@code D} field, or null. */
    public String detail() {
        return detail;
    }

    /** The {@code H} field, or null. */
    public String hint() {
        return hint;
    }

    /** The {@code P} field (1-based character index into the statement), or 0 when absent. */
    public int position() {
        return position;
    }
}
