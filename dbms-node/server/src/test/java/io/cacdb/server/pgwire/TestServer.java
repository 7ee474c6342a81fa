package io.cacdb.server.pgwire;

import io.cacdb.engine.Database;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.server.session.SqlBackend;
import io.cacdb.server.sql.backend.DatabaseSqlBackend;
import io.cacdb.server.session.TinySqlBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A real {@link PgServer} on a loopback ephemeral port, for tests: over a {@link TinySqlBackend} (the stand-in with
 * test functions), or with {@link #database} over the real SQL layer and a {@link Database} on a memory volume.
 */
final class TestServer implements AutoCloseable {

    /** The stand-in backend, or null when the server runs the real SQL layer. */
    final TinySqlBackend backend;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final PgServer server;
    private final AutoCloseable after;

    TestServer() {
        this(PgServerConfig.defaults(), new TinySqlBackend());
    }

    TestServer(PgServerConfig config, TinySqlBackend backend) {
        this(config, backend, backend);
    }

    private TestServer(PgServerConfig config, TinySqlBackend backend, SqlBackend seam) {
        this.backend = backend;
        this.server = PgServer.start(config.withPort(0), seam, registry);
        this.after = null;
    }

    private TestServer(PgServerConfig config, Database database, DatabaseSqlBackend seam) {
        this.backend = null;
        this.after = () -> {
            seam.close();
            database.close();
        };
        this.server = PgServer.start(config.withPort(0), seam, registry);
    }

    /** A server over the real SQL layer ({@link DatabaseSqlBackend}) and a fresh database on a memory volume. */
    static TestServer database(PgServerConfig config) {
        SimpleMeterRegistry engineMetrics = new SimpleMeterRegistry();
        Database db = Database.open(new MemoryVolume(11), EngineConfig.defaults(), engineMetrics);
        return new TestServer(config, db, new DatabaseSqlBackend(db, engineMetrics));
    }

    int port() {
        return server.port();
    }

    String url(String extra) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/test?sslmode=disable&connectTimeout=10&socketTimeout=60"
                + (extra.isEmpty() ? "" : "&" + extra);
    }

    Connection connect() throws SQLException {
        return connect("", "tester", null);
    }

    Connection connect(String extra) throws SQLException {
        return connect(extra, "tester", null);
    }

    Connection connect(String extra, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection(url(extra), p);
    }

    @Override
    public void close() {
        server.close();
        if (after != null) {
            try {
                after.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the database behind the test server failed", e);
            }
        }
    }
}
