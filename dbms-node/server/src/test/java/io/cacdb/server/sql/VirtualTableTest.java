package io.cacdb.server.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.Database;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.catalog.TableDef;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.server.pgwire.PgServerConfig;
import io.cacdb.server.sql.backend.SqlBackendConfig;
import io.cacdb.server.sql.backend.SqlNode;
import io.cacdb.server.sql.relation.RelationColumn;
import io.cacdb.server.sql.relation.VirtualTable;
import io.cacdb.server.sql.relation.VirtualTableContext;
import io.cacdb.server.sql.relation.VirtualTables;
import io.cacdb.server.sql.types.SqlType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The virtual-table seam: a relation built from the catalog, queried, filtered, joined and sorted like a table. */
class VirtualTableTest {

    /** A tiny pg_class-like relation: one row per table of the transaction's catalog view. */
    static final class Tables implements VirtualTable {
        @Override
        public String schema() {
            return "pg_catalog";
        }

        @Override
        public String name() {
            return "cacdb_tables";
        }

        @Override
        public List<RelationColumn> columns() {
            return List.of(RelationColumn.of("relname", SqlType.TEXT), RelationColumn.of("relnatts", SqlType.INT4),
                    RelationColumn.of("owner", SqlType.TEXT));
        }

        @Override
        public Iterator<Object[]> rows(VirtualTableContext context) {
            List<Object[]> rows = new ArrayList<>();
            for (TableDef t : context.catalog().tables()) {
                rows.add(new Object[] {t.name(), t.columns().size(), context.user()});
            }
            return rows.iterator();
        }
    }

    @Test
    void virtualRelationsAreQueriedLikeTables() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Database db = Database.open(new MemoryVolume(3), EngineConfig.defaults(), registry);
             SqlNode node = SqlNode.serve(db, SqlBackendConfig.defaults().withVirtualTables(
                     VirtualTables.of(List.of(new Tables()))), PgServerConfig.defaults().withPort(0), registry)) {
            Properties p = new Properties();
            p.setProperty("user", "tester");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node.port()
                    + "/cacdb?sslmode=disable", p); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE zeta (a int PRIMARY KEY, b int, c int)");
                st.execute("CREATE TABLE alpha (x int)");
                List<String> seen = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT relname, relnatts, owner FROM cacdb_tables"
                        + " WHERE relnatts >= 1 ORDER BY relname")) {
                    while (rs.next()) {
                        seen.add(rs.getString(1) + ":" + rs.getInt(2) + ":" + rs.getString(3));
                    }
                }
                assertEquals(List.of("alpha:1:tester", "zeta:3:tester"), seen);
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_catalog.cacdb_tables t, zeta z"
                        + " WHERE t.relname = 'zeta'")) {
                    assertTrue(rs.next());
                    assertEquals(0, rs.getInt(1), "zeta is empty, so the join is");
                }
                try (ResultSet rs = st.executeQuery("EXPLAIN SELECT * FROM cacdb_tables WHERE relname = 'x'")) {
                    assertTrue(rs.next());
                    assertEquals("Virtual Scan on pg_catalog.cacdb_tables", rs.getString(1));
                }
                c.setAutoCommit(false);
                st.execute("CREATE TABLE mine (q int)");
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM cacdb_tables WHERE relname = 'mine'")) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1), "the transaction's own DDL is visible to it");
                }
                c.rollback();
            }
        }
    }
}
