package io.cacdb.server.auth;

import io.cacdb.server.session.SqlState;

/**
 * Authentication failed: the operating error the protocol server answers with a FATAL ErrorResponse carrying {@link
 * #sqlState()} ({@code 28P01} for a wrong password or unknown user, {@code 08P01} for a malformed SASL message) and
 * then closes the connection. The message never says whether the user exists.
 */
public final class AuthenticationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final SqlState sqlState;

    public AuthenticationException(SqlState sqlState, String message) {
        super(message);
        this.sqlState = sqlState;
    }

    public SqlState sqlState() {
        return sqlState;
    }

    static AuthenticationException passwordFailed(String user) {
        return new AuthenticationException(SqlState.INVALID_PASSWORD,
                "password authentication failed for user \"" + user + "\"");
    }

    static AuthenticationException malformed(String what) {
        return new AuthenticationException(SqlState.PROTOCOL_VIOLATION, "malformed SCRAM message (" + what + ")");
    }
}
