package io.cacdb.server.session;

/** The SQL layer as the protocol server sees it: a factory of sessions. Must be safe for concurrent use. */
public interface SqlBackend {

    /**
     * Opens the session of an authenticated client. May block. A FATAL {@link SqlException} refuses the client
     * (for example {@link SqlState#CANNOT_CONNECT_NOW} on a standby, or an unknown database).
     *
     * @param events where the session sends parameter changes and notices
     */
    SqlSession openSession(SessionStartup startup, SessionEvents events) throws SqlException;
}
