package io.cacdb.server.sql.backend;

import io.cacdb.engine.Database;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.volume.VolumeWriter;
import io.cacdb.server.pgwire.PgServer;
import io.cacdb.server.pgwire.PgServerConfig;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A working single-node database in one process: a {@link Database} on a volume, the SQL layer ({@link
 * DatabaseSqlBackend}) over it, and a {@link PgServer} serving it on a port. For the node process and for tests:
 *
 * <pre>{@code
 * try (SqlNode node = SqlNode.start(volumeWriter, EngineConfig.defaults(), PgServerConfig.defaults().withPort(5432),
 *         registry)) {
 *     // jdbc:postgresql://127.0.0.1:<node.port()>/db
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the protocol server first (clients get 57P01 and their sessions roll back), then the
 * backend's timer, then the database if this node opened it. Thread-safe.
 */
public final class SqlNode implements AutoCloseable {

    private final Database database;
    private final boolean ownsDatabase;
    private final DatabaseSqlBackend backend;
    private final PgServer server;

    private SqlNode(Database database, boolean ownsDatabase, DatabaseSqlBackend backend, PgServer server) {
        this.database = database;
        this.ownsDatabase = ownsDatabase;
        this.backend = backend;
        this.server = server;
    }

    /**
     * Opens (formats or recovers) a database on {@code volume} and serves it; {@link #close()} closes the database.
     * The volume must be fenced at its epoch by the caller (see {@code Engine.open}).
     */
    public static SqlNode start(VolumeWriter volume, EngineConfig engine, PgServerConfig server,
            MeterRegistry registry) {
        Database db = Database.open(volume, engine, registry);
        try {
            return start(db, true, SqlBackendConfig.defaults(), server, registry);
        } catch (RuntimeException | Error e) {
            db.close();
            throw e;
        }
    }

    /** Serves a database the caller owns (and closes after this node). */
    public static SqlNode serve(Database database, SqlBackendConfig sql, PgServerConfig server,
            MeterRegistry registry) {
        return start(database, false, sql, server, registry);
    }

    private static SqlNode start(Database db, boolean owns, SqlBackendConfig sql, PgServerConfig server,
            MeterRegistry registry) {
        DatabaseSqlBackend backend = new DatabaseSqlBackend(db, sql, registry);
        try {
            return new SqlNode(db, owns, backend, PgServer.start(server, backend, registry));
        } catch (RuntimeException | Error e) {
            backend.close();
            throw e;
        }
    }

    /** The port the protocol server listens on (the bound one when configured with port 0). */
    public int port() {
        return server.port();
    }

    public Database database() {
        return database;
    }

    public DatabaseSqlBackend backend() {
        return backend;
    }

    public PgServer server() {
        return server;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            backend.close();
            if (ownsDatabase) {
                database.close();
            }
        }
    }
}
