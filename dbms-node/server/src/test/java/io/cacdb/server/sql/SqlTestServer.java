package io.cacdb.server.sql;

import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.server.pgwire.PgServerConfig;
import io.cacdb.server.sql.backend.SqlNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/** The real thing for tests: a Database on a MemoryVolume, the SQL backend, a PgServer on a loopback port. */
public final class SqlTestServer implements AutoCloseable {

    /** Lock waits in tests: short, so a test that deadlocks by mistake fails fast, long enough for blocking tests. */
    public static final Duration LOCK_WAIT = Duration.ofSeconds(5);

    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final SqlNode node;

    public SqlTestServer() {
        this(EngineConfig.defaults().withLockWaitTimeout(LOCK_WAIT));
    }

    public SqlTestServer(EngineConfig engine) {
        this.node = SqlNode.start(new MemoryVolume(7), engine, PgServerConfig.defaults().withPort(0), registry);
    }

    public int port() {
        return node.port();
    }

    public String url(String extra) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/cacdb?sslmode=disable&connectTimeout=10&socketTimeout=120"
                + (extra.isEmpty() ? "" : "&" + extra);
    }

    public Connection connect() throws SQLException {
        return connect("");
    }

    public Connection connect(String extra) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "tester");
        return DriverManager.getConnection(url(extra), p);
    }

    @Override
    public void close() {
        node.close();
    }
}
