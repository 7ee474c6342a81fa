package io.cacdb.server.session;

import java.util.Optional;

/**
 * A statement bound to parameter values, ready to run, made by {@link SqlSession#bind}. It may be executed several
 * times with a row limit, each Execute continuing where the previous one stopped. The protocol server closes it when
 * the client closes or replaces it, when its transaction ends, or when the session ends.
 */
public interface SqlPortal {

    /** The rows {@link #execute} produces, or empty if none. */
    Optional<RowDescription> rowDescription();

    /**
     * Runs (or continues) the portal. {@code maxRows} 0 means no limit; otherwise at most that many rows go to {@code
     * sink} and {@link ExecuteOutcome.Suspended} is returned when more remain.
     *
     * @throws SqlException the statement failed (the session's transaction status says what it left)
     */
    ExecuteOutcome execute(int maxRows, RowSink sink) throws SqlException;

    void close();
}
