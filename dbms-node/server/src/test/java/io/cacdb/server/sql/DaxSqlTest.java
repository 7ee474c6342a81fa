package io.cacdb.server.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.volume.DaxVolume;
import io.cacdb.server.pgwire.PgServerConfig;
import io.cacdb.server.sql.backend.SqlNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQL layer on a real local DAX cluster (in-process servers, quorum writes): the TPC-C schema loaded through
 * pgjdbc, a few transactions, then the node closed and the volume reopened at a higher epoch by a new node, which
 * must serve the same data with the consistency conditions intact.
 */
class DaxSqlTest {

    private static final long VOLUME = 41;

    private static Connection connect(SqlNode node) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "tester");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node.port()
                + "/cacdb?sslmode=disable&reWriteBatchedInserts=true&socketTimeout=120", p);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    @Test
    void servesTpccDataAcrossAReopenAtANewEpoch(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        System.out.println("DaxSqlTest seed " + seed + " (reproduce with -Dcacdb.seed=" + seed + ")");
        try (LocalDaxCluster servers = LocalDaxCluster.start(
                LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir.resolve("dax")));
             DaxClient client = DaxClient.create(servers.clusterMap(), DaxClientConfig.defaults("a"),
                     new SimpleMeterRegistry())) {
            client.createVolume(VOLUME).get(30, TimeUnit.SECONDS);
            long orders;
            try (SqlNode node = SqlNode.start(DaxVolume.writer(client, VOLUME, 1), EngineConfig.defaults(),
                    PgServerConfig.defaults().withPort(0), new SimpleMeterRegistry());
                 Connection c = connect(node)) {
                TpccTest.createAndLoad(c, seed);
                TpccTest.checkConsistency(c);
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    assertEquals(1, st.executeUpdate("UPDATE district SET d_next_o_id = d_next_o_id + 1"
                            + " WHERE d_w_id = 1 AND d_id = 1"));
                    st.executeUpdate("INSERT INTO oorder VALUES (1, 1, 31, 1, NULL, 1, 1, now())");
                    st.executeUpdate("INSERT INTO new_order VALUES (1, 1, 31)");
                    st.executeUpdate("INSERT INTO order_line VALUES (1, 1, 31, 1, 7, NULL, 12.5, 1, 5, 'x')");
                }
                c.commit();
                orders = count(c, "SELECT count(*) FROM oorder");
            }
            client.fence(VOLUME, 2).get(30, TimeUnit.SECONDS);
            try (SqlNode node = SqlNode.start(DaxVolume.writer(client, VOLUME, 2), EngineConfig.defaults(),
                    PgServerConfig.defaults().withPort(0), new SimpleMeterRegistry());
                 Connection c = connect(node)) {
                assertEquals(orders, count(c, "SELECT count(*) FROM oorder"));
                assertEquals(1, count(c, "SELECT count(*) FROM order_line WHERE ol_w_id = 1 AND ol_d_id = 1"
                        + " AND ol_o_id = 31"));
                TpccTest.checkConsistency(c);
            }
        }
    }
}
