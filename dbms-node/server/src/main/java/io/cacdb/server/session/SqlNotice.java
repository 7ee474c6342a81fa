package io.cacdb.server.session;

import java.util.Objects;

/** A NoticeResponse: a message that does not end anything (a warning, a notice, an info line). */
public record SqlNotice(Severity severity, SqlState sqlState, String message, String detail, String hint) {

    public SqlNotice {
        Objects.requireNonNull(sqlState, "sqlState");
        Objects.requireNonNull(message, "message");
        if (severity.isError()) {
            throw new IllegalArgumentException("a notice cannot have severity " + severity);
        }
    }

    public static SqlNotice notice(String message) {
        return new SqlNotice(Severity.NOTICE, SqlState.SUCCESSFUL_COMPLETION, message, null, null);
    }

    public static SqlNotice warning(SqlState sqlState, String message) {
        return new SqlNotice(Severity.WARNING, sqlState, message, null, null);
    }
}
