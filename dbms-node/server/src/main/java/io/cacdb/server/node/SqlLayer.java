package io.cacdb.server.node;

import io.cacdb.engine.Database;
import io.cacdb.server.pgwire.PgServer;
import io.cacdb.server.pgwire.PgServerConfig;
import io.cacdb.server.session.SqlBackend;
import io.cacdb.server.sql.backend.SqlBackendConfig;
import io.cacdb.server.sql.backend.SqlNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Function;

/**
 * How a node serves clients over its open {@link Database}: the PostgreSQL protocol server with a SQL backend. The
 * node owns the database and closes it after what this returns.
 */
@FunctionalInterface
public interface SqlLayer {

    /** A serving protocol server. */
    interface Serving extends AutoCloseable {
        /** The bound port (the configured one, or the one chosen for port 0). */
        int port();

        /** Stops serving: clients are told 57P01, sessions roll back. */
        @Override
        void close();
    }

    /** Starts serving {@code database} with {@code config}; returns once the port is bound. */
    Serving serve(Database database, PgServerConfig config, MeterRegistry registry);

    /** The SQL layer over the engine ({@code io.cacdb.server.sql}): what {@code ./cacdb node} serves. */
    static SqlLayer engineSql() {
        return (database, config, registry) -> {
            SqlNode node = SqlNode.serve(database, SqlBackendConfig.defaults(), config, registry);
            return new Serving() {
                @Override
                public int port() {
                    return node.port();
                }

                @Override
                public void close() {
                    node.close();
                }
            };
        };
    }

    /** Any backend behind the protocol server (tests use a stand-in). */
    static SqlLayer backend(Function<Database, SqlBackend> backend) {
        return (database, config, registry) -> {
            PgServer server = PgServer.start(config, backend.apply(database), registry);
            return new Serving() {
                @Override
                public int port() {
                    return server.port();
                }

                @Override
                public void close() {
                    server.close();
                }
            };
        };
    }
}
