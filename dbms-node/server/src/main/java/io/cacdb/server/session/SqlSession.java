package io.cacdb.server.session;

import java.util.List;
import java.util.Map;

/**
 * One client's SQL session. The protocol server calls every method except {@link #cancel()} from the connection's
 * own thread, one call at a time, in the client's order; calls may block (locks, I/O, waiting for a commit to be
 * durable). Transaction boundaries are the session's: it reports where it stands through {@link
 * #transactionStatus()}, read after every statement and at every Sync.
 */
public interface SqlSession {

    /**
     * Run-time parameters this session reports at start-up, beyond or instead of the protocol server's defaults:
     * {@code in_hot_standby} and {@code default_transaction_read_only} from the node's role, {@code is_superuser},
     * {@code TimeZone}, ... The encoding parameters ({@code server_encoding}, {@code client_encoding}), {@code
     * DateStyle}, {@code integer_datetimes} and {@code standard_conforming_strings} are fixed by the protocol server's
     * value codecs and may not be overridden.
     */
    Map<String, String> parameterStatus();

    TransactionStatus transactionStatus();

    /**
     * Runs a simple-query string, which may hold several statements, reporting each one's results to {@code sink}.
     * An exception ends the string; the statements already completed keep their effects as the SQL layer's
     * transaction rules say (PostgreSQL runs a multi-statement string in one implicit transaction).
     */
    void simpleQuery(String sql, SimpleQuerySink sink) throws SqlException;

    /**
     * Parses one statement. {@code parameterTypes} holds the types the client declared for {@code $1..$k}
     * ({@link PgType#UNKNOWN} for OID 0); the statement may have more parameters than declared.
     */
    SqlStatement prepare(String sql, List<PgType> parameterTypes) throws SqlException;

    /**
     * Binds parameter values (decoded with {@code statement.parameterTypes()}, null for NULL) into a portal.
     */
    SqlPortal bind(SqlStatement statement, List<Object> parameters) throws SqlException;

    /**
     * The client sent Sync: the end of an extended-query pipeline. Outside a transaction block this ends the
     * implicit transaction (commit, or rollback after a failure); inside one it does nothing.
     */
    void sync() throws SqlException;

    /**
     * Cancels the statement running now, if any: it should fail soon with {@link SqlState#QUERY_CANCELED}. Called
     * from another thread (a CancelRequest, a closed connection); must not block.
     */
    void cancel();

    /** The connection is gone: roll back what is open and release everything. Called once, last. */
    void close();
}
