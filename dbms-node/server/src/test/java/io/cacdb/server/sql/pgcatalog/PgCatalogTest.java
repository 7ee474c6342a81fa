package io.cacdb.server.sql.pgcatalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cacdb.server.sql.SqlTestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The catalog relations and functions queried directly. Expected values are PostgreSQL 15.18's answers for the same
 * statements over the same schema ({@code describe.sql} plus the table {@code "Mixed"} below), except OIDs, which
 * only have to be consistent.
 */
class PgCatalogTest {

    private static SqlTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new SqlTestServer();
        String script = PsqlDescribeTest.resource("describe.sql");
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute(script.substring(0, script.indexOf("\n\\") + 1));
            st.execute("CREATE TABLE \"Mixed\" (\"Id\" int PRIMARY KEY, \"order\" text, plain int)");
            st.execute("CREATE INDEX mixed_idx ON \"Mixed\" (plain DESC NULLS LAST, \"order\" NULLS FIRST)");
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<String> rows(String sql) throws SQLException {
        try (Connection c = server.connect()) {
            return rows(c, sql);
        }
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    String v = rs.getString(i);
                    sb.append(i == 1 ? "" : "|").append(v == null ? "" : v);
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    @Test
    void relationsOfThePublicSchema() throws SQLException {
        assertEquals(List.of("Mixed|r|3|t|public", "Mixed_pkey|i|1|f|public", "district|r|4|t|public",
                "district_name|i|2|f|public", "district_pkey|i|2|f|public", "history|r|3|f|public",
                "mixed_idx|i|2|f|public", "warehouse|r|14|t|public", "warehouse_name_idx|i|1|f|public",
                "warehouse_pkey|i|1|f|public", "warehouse_w_zip_key|i|1|f|public"),
                rows("SELECT c.relname, c.relkind, c.relnatts, c.relhasindex, n.nspname FROM pg_catalog.pg_class c"
                        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
                        + " ORDER BY 1"));
    }

    @Test
    void indexesConstraintsAndAttributes() throws SQLException {
        assertEquals(List.of("CREATE INDEX mixed_idx ON \"Mixed\" USING btree (plain DESC NULLS LAST, \"order\" NULLS"
                        + " FIRST)|\"order\"|3 2|1 2", "CREATE UNIQUE INDEX \"Mixed_pkey\" ON \"Mixed\" USING btree"
                        + " (\"Id\")||1|0"),
                rows("SELECT pg_catalog.pg_get_indexdef(i.indexrelid, 0, true), pg_catalog.pg_get_indexdef("
                        + "i.indexrelid, 2, true), i.indkey::text, i.indoption::text FROM pg_catalog.pg_index i"
                        + " WHERE i.indrelid = '\"Mixed\"'::regclass ORDER BY 1"));
        assertEquals(List.of("CREATE UNIQUE INDEX warehouse_pkey ON public.warehouse USING btree (w_id)"),
                rows("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indisprimary"
                        + " AND indrelid = 'warehouse'::regclass"));
        assertEquals(List.of("district_pkey|p|PRIMARY KEY (d_w_id, d_id)", "warehouse_pkey|p|PRIMARY KEY (w_id)",
                "warehouse_w_zip_key|u|UNIQUE (w_zip)"),
                rows("SELECT conname, contype, pg_catalog.pg_get_constraintdef(oid, true) FROM pg_catalog.pg_constraint"
                        + " WHERE conrelid = 'district'::regclass OR conrelid = 'warehouse'::regclass ORDER BY 1"));
        assertEquals(List.of("d_w_id|1|integer|t|f", "d_id|2|integer|t|f", "d_name|3|character varying|f|f",
                "d_next_o_id|4|integer|f|t"),
                rows("SELECT a.attname, a.attnum, a.atttypid::regtype, a.attnotnull, a.atthasdef"
                        + " FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'district'::regclass AND a.attnum > 0"
                        + " ORDER BY a.attnum"));
    }

    @Test
    void functionsAndOidCasts() throws SQLException {
        assertEquals(List.of("t|warehouse"), rows("SELECT 'warehouse'::regclass::oid = c.oid, c.oid::regclass"
                + " FROM pg_class c WHERE relname = 'warehouse'"));
        assertEquals(List.of("character varying(10)|numeric(12,2)|bpchar|integer|timestamp without time zone"),
                rows("SELECT pg_catalog.format_type(1043, 14), pg_catalog.format_type(1700, 786438),"
                        + " pg_catalog.format_type(1042, -1), pg_catalog.format_type(23, NULL),"
                        + " pg_catalog.format_type(1114, -1)"));
        assertEquals(List.of("\"Mixed\"|\"order\"|plain_1|t|tester|UTF8|t"),
                rows("SELECT quote_ident('Mixed'), quote_ident('order'), quote_ident('plain_1'),"
                        + " pg_catalog.pg_table_is_visible('warehouse'::regclass), pg_catalog.pg_get_userbyid(c.relowner),"
                        + " pg_encoding_to_char(6), has_table_privilege('warehouse', 'SELECT') FROM pg_class c"
                        + " WHERE relname = 'warehouse'"));
        SQLException missing = assertThrows(SQLException.class, () -> rows("SELECT 'nope'::regclass"));
        assertEquals("42P01", missing.getSQLState());
    }

    @Test
    void informationSchema() throws SQLException {
        assertEquals(List.of("history|h_c_id|1||YES|integer||32|0", "history|h_amount|2||YES|numeric||6|2",
                "history|h_data|3||YES|character varying|24||", "warehouse|w_id|1||NO|integer||32|0",
                "warehouse|w_name|2||NO|character varying|10||", "warehouse|w_tax|3|0.1000|YES|numeric||4|4",
                "warehouse|w_ytd|4|300000.00|NO|numeric||12|2", "warehouse|w_zip|5||YES|character|9||",
                "warehouse|w_open|6|true|YES|boolean|||", "warehouse|w_created|7||YES|timestamp without time zone|||",
                "warehouse|w_day|8|'2024-01-02'::date|YES|date|||",
                "warehouse|w_ratio|9|1.5|YES|double precision||53|", "warehouse|w_small|10|'-1'::integer|YES|smallint||16|0",
                "warehouse|w_big|11|5|YES|bigint||64|0", "warehouse|w_real|12||YES|real||24|",
                "warehouse|w_note|13|'none'::text|YES|text|||",
                "warehouse|w_code|14|'abc'::character varying|YES|character varying|8||"),
                rows("SELECT table_name, column_name, ordinal_position, column_default, is_nullable, data_type,"
                        + " character_maximum_length, numeric_precision, numeric_scale FROM information_schema.columns"
                        + " WHERE table_schema = 'public' AND table_name IN ('warehouse', 'history')"
                        + " ORDER BY table_name, ordinal_position"));
        assertEquals(List.of("Mixed|BASE TABLE", "district|BASE TABLE", "history|BASE TABLE", "warehouse|BASE TABLE"),
                rows("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public'"
                        + " ORDER BY 1"));
    }

    @Test
    void aTransactionSeesItsOwnDdlAndOthersDoNot() throws SQLException {
        try (Connection c = server.connect(); Connection other = server.connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE pending (a int PRIMARY KEY)");
            }
            String q = "SELECT relname FROM pg_class WHERE relname LIKE 'pending%' ORDER BY 1";
            assertEquals(List.of("pending", "pending_pkey"), rows(c, q));
            assertEquals(List.of(), rows(other, q));
            c.rollback();
            assertEquals(List.of(), rows(c, q));
        }
    }
}
