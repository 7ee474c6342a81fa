package io.cacdb.server.pgwire;

import io.cacdb.server.session.Severity;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlNotice;
import io.cacdb.server.session.SqlState;
import java.util.Objects;

/**
 * The fields of an ErrorResponse or NoticeResponse: {@code S} and {@code V} (severity), {@code C} (SQLSTATE),
 * {@code M} (message), and {@code D} (detail), {@code H} (hint), {@code P} (position, 1-based) when present.
 */
public record PgError(Severity severity, SqlState sqlState, String message, String detail, String hint,
        int position) {

    public PgError {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(sqlState, "sqlState");
        Objects.requireNonNull(message, "message");
    }

    public static PgError error(SqlState sqlState, String message) {
        return new PgError(Severity.ERROR, sqlState, message, null, null, 0);
    }

    public static PgError fatal(SqlState sqlState, String message) {
        return new PgError(Severity.FATAL, sqlState, message, null, null, 0);
    }

    public static PgError of(SqlException e) {
        return new PgError(e.severity(), e.sqlState(), e.getMessage() == null ? "" : e.getMessage(), e.detail(),
                e.hint(), e.position());
    }

    public static PgError of(SqlNotice n) {
        return new PgError(n.severity(), n.sqlState(), n.message(), n.detail(), n.hint(), 0);
    }

    /** FATAL (or PANIC): the connection ends after this is sent. */
    public boolean endsConnection() {
        return severity == Severity.FATAL || severity == Severity.PANIC;
    }
}
