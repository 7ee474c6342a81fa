package io.cacdb.server.node;

import io.cacdb.engine.Database;
import io.cacdb.server.session.SessionEvents;
import io.cacdb.server.session.SessionStartup;
import io.cacdb.server.session.SqlBackend;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlSession;
import io.cacdb.server.sql.backend.DatabaseSqlBackend;
import io.cacdb.server.sql.backend.SqlBackendConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Function;

/**
 * How a node serves clients over its open {@link Database}: the SQL backend the node's protocol server lets sessions
 * through to while the node is ACTIVE. The node owns the database and the protocol server; it closes the backend
 * when it stops serving that database (stop, lost lease) and builds a new one after a takeover.
 */
@FunctionalInterface
public interface SqlLayer {

    /** A SQL backend over one database, with whatever it needs to release. */
    interface Backend extends SqlBackend, AutoCloseable {
        @Override
        void close();
    }

    /** The backend over {@code database}. */
    Backend over(Database database, MeterRegistry registry);

    /** The SQL layer over the engine ({@code io.cacdb.server.sql}): what {@code ./cacdb node} serves. */
    static SqlLayer engineSql() {
        return (database, registry) -> {
            DatabaseSqlBackend backend = new DatabaseSqlBackend(database, SqlBackendConfig.defaults(), registry);
            return wrap(backend, backend::close);
        };
    }

    /** Any backend (tests use a stand-in); nothing to release. */
    static SqlLayer backend(Function<Database, SqlBackend> backend) {
        return (database, registry) -> wrap(backend.apply(database), () -> { });
    }

    private static Backend wrap(SqlBackend backend, Runnable close) {
        return new Backend() {
            @Override
            public SqlSession openSession(SessionStartup startup, SessionEvents events) throws SqlException {
                return backend.openSession(startup, events);
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
