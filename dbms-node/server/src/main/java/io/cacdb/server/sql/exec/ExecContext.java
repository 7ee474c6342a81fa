package io.cacdb.server.sql.exec;

import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.catalog.CatalogSnapshot;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import io.cacdb.server.sql.expr.EvalContext;
import io.cacdb.server.sql.relation.VirtualTableContext;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What one execution of a statement runs with: the engine transaction, the bound parameter values, the
 * transaction's timestamp, the session's values for functions and virtual tables, and the cancellation flag the
 * session's {@code cancel()} sets from another thread. Operators check {@link #checkCancelled()} once per row, and
 * a cancelled lock wait fails inside the engine, so a cancel takes effect within one row's work.
 */
public final class ExecContext implements EvalContext, VirtualTableContext {

    /** Set by another thread to make the running statement fail; holds the reason (query cancel, timeout). */
    public interface Cancellation {
        /** Null while not cancelled, else the message of the 57014 error. */
        String reason();
    }

    private final DatabaseTransaction txn;
    private final List<Object> parameters;
    private final OffsetDateTime transactionTimestamp;
    private final Function<String, String> session;
    private final Cancellation cancellation;
    private final Supplier<CatalogSnapshot> catalog;
    private final String user;
    private final String database;

    public ExecContext(DatabaseTransaction txn, List<Object> parameters, OffsetDateTime transactionTimestamp,
            Function<String, String> session, Cancellation cancellation, Supplier<CatalogSnapshot> catalog,
            String user, String database) {
        this.txn = txn;
        this.parameters = parameters;
        this.transactionTimestamp = transactionTimestamp;
        this.session = session;
        this.cancellation = cancellation;
        this.catalog = catalog;
        this.user = user;
        this.database = database;
    }

    public DatabaseTransaction txn() {
        return txn;
    }

    @Override
    public Object parameter(int index) {
        return parameters.get(index);
    }

    @Override
    public OffsetDateTime transactionTimestamp() {
        return transactionTimestamp;
    }

    @Override
    public String sessionValue(String name) {
        return session.apply(name);
    }

    @Override
    public void checkCancelled() throws SqlException {
        String reason = cancellation.reason();
        if (reason != null) {
            throw new SqlException(SqlState.QUERY_CANCELED, reason);
        }
    }

    @Override
    public CatalogSnapshot catalog() {
        return catalog.get();
    }

    @Override
    public String setting(String name) {
        return session.apply("setting:" + name);
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public String database() {
        return database;
    }
}
