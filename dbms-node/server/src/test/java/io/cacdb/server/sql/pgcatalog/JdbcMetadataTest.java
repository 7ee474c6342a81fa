package io.cacdb.server.sql.pgcatalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.server.pgwire.PgServerConfig;
import io.cacdb.server.sql.backend.SqlNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgjdbc 42.7's DatabaseMetaData on cacdb returns what it returns on PostgreSQL 15 for the same schema (the DDL and
 * DML of {@code describe.sql}): getTables, getColumns, getPrimaryKeys and getIndexInfo, every row and column as
 * strings, compared with {@code jdbc-metadata.expected-pg15.txt} (captured from PostgreSQL 15.18 with the same
 * calls). In both of pgjdbc's protocol modes: extended (parameters bound) and simple (parameters inlined).
 */
class JdbcMetadataTest {

    @ParameterizedTest
    @ValueSource(strings = {"extended", "simple"})
    void metadataMatchesPostgres(String queryMode) throws Exception {
        String script = PsqlDescribeTest.resource("describe.sql");
        String ddlAndDml = script.substring(0, script.indexOf("\n\\") + 1);
        assertTrue(ddlAndDml.contains("CREATE TABLE warehouse"), "the script's SQL part");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SqlNode node = SqlNode.start(new MemoryVolume(7), EngineConfig.defaults(),
                PgServerConfig.defaults().withPort(0), registry)) {
            Properties p = new Properties();
            p.setProperty("user", PsqlDescribeTest.USER);
            p.setProperty("preferQueryMode", queryMode);
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node.port()
                    + "/cacdb?sslmode=disable&connectTimeout=10", p)) {
                try (Statement st = c.createStatement()) {
                    st.execute(ddlAndDml);
                }
                assertEquals(PsqlDescribeTest.resource("jdbc-metadata.expected-pg15.txt"), dump(c.getMetaData()));
            }
        }
    }

    /** The calls the expected file was captured with, in its order. */
    static String dump(DatabaseMetaData md) throws SQLException {
        StringBuilder out = new StringBuilder();
        dump(out, "getTables", md.getTables(null, "public", "%", new String[] {"TABLE"}));
        dump(out, "getColumns", md.getColumns(null, "public", "warehouse", "%"));
        dump(out, "getColumnsDistrict", md.getColumns(null, "public", "district", "%"));
        dump(out, "getPrimaryKeys", md.getPrimaryKeys(null, "public", "district"));
        dump(out, "getIndexInfo", md.getIndexInfo(null, "public", "warehouse", false, false));
        dump(out, "getIndexInfoD", md.getIndexInfo(null, "public", "district", false, false));
        dump(out, "getIndexInfoUnique", md.getIndexInfo(null, "public", "district", true, false));
        dump(out, "getPrimaryKeysW", md.getPrimaryKeys(null, null, "warehouse"));
        dump(out, "getTablesAll", md.getTables(null, null, "w%", null));
        return out.toString();
    }

    private static void dump(StringBuilder out, String title, ResultSet rs) throws SQLException {
        try (rs) {
            out.append("== ").append(title).append('\n');
            ResultSetMetaData m = rs.getMetaData();
            for (int i = 1; i <= m.getColumnCount(); i++) {
                out.append(i > 1 ? "|" : "").append(m.getColumnLabel(i));
            }
            out.append('\n');
            while (rs.next()) {
                for (int i = 1; i <= m.getColumnCount(); i++) {
                    out.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.append('\n');
            }
        }
    }
}
