package io.cacdb.server.pgwire;

import io.cacdb.server.session.SqlBackend;
import io.cacdb.server.session.TinySqlBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** A real {@link PgServer} on a loopback ephemeral port over a {@link TinySqlBackend}, for tests. */
final class TestServer implements AutoCloseable {

    final TinySqlBackend backend;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final PgServer server;

    TestServer() {
        this(PgServerConfig.defaults(), new TinySqlBackend());
    }

    TestServer(PgServerConfig config, TinySqlBackend backend) {
        this(config, backend, backend);
    }

    private TestServer(PgServerConfig config, TinySqlBackend backend, SqlBackend seam) {
        this.backend = backend;
        this.server = PgServer.start(config.withPort(0), seam, registry);
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
    }
}
