package io.cacdb.server.pgwire;

import io.cacdb.leakcheck.NoLeaks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.server.auth.AuthConfig;
import io.cacdb.server.auth.AuthMethod;
import io.cacdb.server.auth.ScramVerifier;
import io.cacdb.server.session.TinySqlBackend;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** The real pgjdbc 42.7.14 against a real server on loopback, over the TinySqlBackend stand-in. */
@ExtendWith(NoLeaks.class)
class PgJdbcTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    /** The server the tests run against; {@link PgJdbcOnDatabaseTest} runs them over the real SQL layer. */
    TestServer server() {
        return new TestServer();
    }

    TestServer server(PgServerConfig config) {
        return new TestServer(config, new TinySqlBackend());
    }

    /** Whether the server is the stand-in, whose test functions (cacdb_fail, cacdb_sleep, ...) some tests need. */
    boolean standIn() {
        return true;
    }

    private void needsStandIn() {
        org.junit.jupiter.api.Assumptions.assumeTrue(standIn(), "needs the stand-in backend's test functions");
    }

    private static double count(TestServer s, String type) {
        var c = s.registry.find("cacdb.pgwire.messages").tag("type", type).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void connectsWithTrustAndReportsParameters() throws Exception {
        try (TestServer s = server(); Connection c = s.connect("ApplicationName=tpcc")) {
            assertEquals(15, c.getMetaData().getDatabaseMajorVersion());
            assertEquals("15.0 (cacdb)", c.getMetaData().getDatabaseProductVersion());
            Map<String, String> params = c.unwrap(PGConnection.class).getParameterStatuses();
            assertEquals("UTF8", params.get("client_encoding"));
            assertEquals("ISO, MDY", params.get("DateStyle"));
            assertEquals("on", params.get("integer_datetimes"));
            assertEquals("on", params.get("standard_conforming_strings"));
            assertEquals("off", params.get("in_hot_standby"));
            assertEquals("tpcc", params.get("application_name"));
            assertEquals("tester", params.get("session_authorization"));
            assertTrue(c.unwrap(PGConnection.class).getBackendPID() > 0);
            try (Statement st = c.createStatement()) {
                st.execute("SET application_name = 'renamed'");
            }
            assertEquals("renamed", c.unwrap(PGConnection.class).getParameterStatus("application_name"));
        }
    }

    @Test
    void scramAuthenticatesAndRefusesWrongPasswordsAndUnknownUsers() throws Exception {
        AuthConfig auth = AuthConfig.withPasswords(Map.of("alice", "s3cret"), AuthMethod.SCRAM_SHA_256,
                ScramVerifier.DEFAULT_ITERATIONS);
        try (TestServer s = server(PgServerConfig.defaults().withAuthentication(auth))) {
            try (Connection c = s.connect("", "alice", "s3cret"); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT 7")) {
                assertTrue(rs.next());
                assertEquals(7, rs.getInt(1));
            }
            SQLException wrong = assertThrows(SQLException.class, () -> s.connect("", "alice", "wrong"));
            assertEquals("28P01", wrong.getSQLState());
            SQLException unknown = assertThrows(SQLException.class, () -> s.connect("", "mallory", "s3cret"));
            assertEquals("28P01", unknown.getSQLState());
            assertEquals(wrong.getMessage().replace("alice", "X"), unknown.getMessage().replace("mallory", "X"),
                    "an unknown user looks exactly like a wrong password");
            Await.until("failed sessions release their slots", BOUND, () -> s.server.sessionSlotsTaken() == 0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"preferQueryMode=extended", "preferQueryMode=simple"})
    void simpleStatementsAndCommandTags(String mode) throws Exception {
        try (TestServer s = server(); Connection c = s.connect(mode); Statement st = c.createStatement()) {
            assertFalse(st.execute("CREATE TABLE t (a int, b text)"));
            assertEquals(1, st.executeUpdate("INSERT INTO t VALUES (1, 'one')"));
            assertEquals(2, st.executeUpdate("INSERT INTO t VALUES (2, 'two'), (3, 'three')"));
            assertEquals(1, st.executeUpdate("UPDATE t SET b = 'TWO' WHERE a = 2"));
            try (ResultSet rs = st.executeQuery("SELECT * FROM t")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getInt("a") + ":" + rs.getString("B"));
                }
                assertEquals(List.of("1:one", "2:TWO", "3:three"), rows);
                assertEquals("a", rs.getMetaData().getColumnName(1));
            }
            assertEquals(1, st.executeUpdate("DELETE FROM t WHERE a = 1"));
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
                assertTrue(rs.next());
                assertEquals(2L, rs.getLong(1));
            }
            // several statements in one string: each result is reported
            assertTrue(st.execute("SELECT 1; SELECT 2, 3"));
            try (ResultSet rs = st.getResultSet()) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
            assertTrue(st.getMoreResults());
            try (ResultSet rs = st.getResultSet()) {
                assertTrue(rs.next());
                assertEquals(3, rs.getInt(2));
            }
        }
    }

    @Test
    void preparedStatementsReusedThousandsOfTimesBecomeServerSide() throws Exception {
        try (TestServer s = server(); Connection c = s.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (a int, b text)");
            }
            int n = 3_000;
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO t VALUES (?, ?)");
                    PreparedStatement sel = c.prepareStatement("SELECT * FROM t WHERE a = ?")) {
                for (int i = 0; i < n; i++) {
                    ins.setInt(1, i);
                    ins.setString(2, "v" + i);
                    assertEquals(1, ins.executeUpdate());
                    sel.setInt(1, i);
                    try (ResultSet rs = sel.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals("v" + i, rs.getString(2));
                        assertFalse(rs.next());
                    }
                }
                assertTrue(ins.unwrap(org.postgresql.PGStatement.class).isUseServerPrepare());
            }
            assertTrue(count(s, "Bind") >= 2 * n, "every execution binds");
            assertTrue(count(s, "Parse") < 20, "named statements are parsed once, got " + count(s, "Parse"));
        }
    }

    /** Every parameter type, text and binary: pgjdbc's default, forced binary (prepareThreshold=-1), and text. */
    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1&binaryTransferEnable=NUMERIC", "binaryTransfer=false",
            "preferQueryMode=simple"})
    void parametersOfEveryTypeRoundTrip(String options) throws Exception {
        needsStandIn();
        try (TestServer s = new TestServer(); Connection c = s.connect(options)) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE v (i int, l bigint, sm smallint, n numeric(12,3), d double precision,"
                        + " f real, s varchar(20), ch char(5), b boolean, ts timestamp, dt date, tz timestamptz)");
            }
            Timestamp ts = Timestamp.valueOf(LocalDateTime.of(2024, 5, 6, 7, 8, 9, 123_456_000));
            for (int round = 0; round < 7; round++) { // past prepareThreshold, so binary results kick in
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO v VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                    ps.setInt(1, round);
                    ps.setLong(2, 1L << 40);
                    ps.setShort(3, (short) -5);
                    ps.setBigDecimal(4, new BigDecimal("12345.678"));
                    ps.setDouble(5, 0.1 + 0.2);
                    ps.setFloat(6, 1.5f);
                    ps.setString(7, "héllo wörld");
                    ps.setString(8, "ab");
                    ps.setBoolean(9, true);
                    ps.setTimestamp(10, ts);
                    ps.setDate(11, java.sql.Date.valueOf("2024-02-29"));
                    ps.setNull(12, Types.NULL);
                    assertEquals(1, ps.executeUpdate());
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT * FROM v WHERE i = ?")) {
                    ps.setInt(1, round);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals(round, rs.getInt(1));
                        assertEquals(1L << 40, rs.getLong(2));
                        assertEquals(-5, rs.getShort(3));
                        assertEquals(new BigDecimal("12345.678"), rs.getBigDecimal(4));
                        assertEquals(0.1 + 0.2, rs.getDouble(5));
                        assertEquals(1.5f, rs.getFloat(6));
                        assertEquals("héllo wörld", rs.getString(7));
                        assertEquals("ab   ", rs.getString(8));
                        assertTrue(rs.getBoolean(9));
                        assertEquals(ts, rs.getTimestamp(10));
                        assertEquals(java.sql.Date.valueOf("2024-02-29"), rs.getDate(11));
                        assertNull(rs.getTimestamp(12));
                        assertTrue(rs.wasNull());
                        assertFalse(rs.next());
                    }
                }
            }
            // assignment casts the TPC-C loader relies on: setLong into int, setDouble into numeric
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO v VALUES (?, ?, ?, ?)")) {
                ps.setLong(1, 100L);
                ps.setLong(2, 7L);
                ps.setInt(3, 1);
                ps.setDouble(4, 2.5);
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM v WHERE i = ?")) {
                ps.setInt(1, 100);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(new BigDecimal("2.500"), rs.getBigDecimal(4));
                }
            }
        }
    }

    @Test
    void rewrittenBatchedInserts() throws Exception {
        try (TestServer s = server(); Connection c = s.connect("reWriteBatchedInserts=true")) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (a int, b text)");
            }
            int rows = 1_000;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "r" + i);
                    ps.addBatch();
                    if (i % 128 == 127 || i == rows - 1) {
                        int[] counts = ps.executeBatch();
                        for (int n : counts) {
                            assertTrue(n == Statement.SUCCESS_NO_INFO || n == 1, "update count " + n);
                        }
                    }
                }
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
                assertTrue(rs.next());
                assertEquals(rows, rs.getLong(1));
            }
            assertTrue(count(s, "Execute") < rows / 4, "batches were rewritten into multi-row inserts");
        }
    }

    @Test
    void plainBatchesPipelineManyExecutesPerSync() throws Exception {
        try (TestServer s = server(); Connection c = s.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (a int)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?)")) {
                for (int i = 0; i < 500; i++) {
                    ps.setInt(1, i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                assertEquals(500, counts.length);
                for (int n : counts) {
                    assertEquals(1, n);
                }
            }
            assertTrue(count(s, "Sync") < 50, "one Sync per batch (pgjdbc adds a few), got " + count(s, "Sync"));
        }
    }

    @Test
    void fetchSizeInATransactionUsesPortalSuspended() throws Exception {
        needsStandIn();
        try (TestServer s = new TestServer(); Connection c = s.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT cacdb_generate(?)")) {
                ps.setFetchSize(10);
                ps.setInt(1, 1_000);
                try (ResultSet rs = ps.executeQuery()) {
                    int expected = 1;
                    while (rs.next()) {
                        assertEquals(expected++, rs.getInt(1));
                    }
                    assertEquals(1_001, expected);
                }
            }
            c.commit();
            assertTrue(count(s, "Execute") >= 100, "fetched in chunks of 10, got " + count(s, "Execute"));
        }
    }

    @Test
    void errorsCarrySqlStateAndFieldsAndFailTheTransactionUntilRollback() throws Exception {
        needsStandIn();
        try (TestServer s = new TestServer(); Connection c = s.connect()) {
            try (Statement st = c.createStatement()) {
                PSQLException e = assertThrows(PSQLException.class, () -> st.executeQuery("SELECT cacdb_fail('23505')"));
                assertEquals("23505", e.getSQLState());
                ServerErrorMessage m = e.getServerErrorMessage();
                assertEquals("ERROR", m.getSeverity());
                assertEquals("failure requested: 23505", m.getMessage());
                assertEquals("the test asked for SQLSTATE 23505", m.getDetail());
                assertEquals("this is what the hint looks like", m.getHint());
                assertEquals(8, m.getPosition());
                assertEquals("42601", assertThrows(SQLException.class, () -> st.execute("SELEKT 1")).getSQLState());
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (a int)");
                st.executeUpdate("INSERT INTO t VALUES (1)");
                assertEquals("40001", assertThrows(SQLException.class,
                        () -> st.executeQuery("SELECT cacdb_fail('40001')")).getSQLState());
                assertEquals("25P02", assertThrows(SQLException.class,
                        () -> st.executeQuery("SELECT 1")).getSQLState());
                try (PreparedStatement ps = c.prepareStatement("SELECT * FROM t WHERE a = ?")) {
                    ps.setInt(1, 1);
                    assertEquals("25P02", assertThrows(SQLException.class, ps::executeQuery).getSQLState());
                }
                c.rollback();
                try (ResultSet rs = st.executeQuery("SELECT 1")) {
                    assertTrue(rs.next());
                }
                assertEquals("42P01", assertThrows(SQLException.class,
                        () -> st.executeQuery("SELECT * FROM t")).getSQLState(), "the rollback undid the table");
            }
        }
    }

    @Test
    void noticesReachTheClient() throws Exception {
        needsStandIn();
        try (TestServer s = new TestServer(); Connection c = s.connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT cacdb_notice('hello there')")) {
                assertTrue(rs.next());
            }
            SQLWarning w = st.getWarnings();
            assertNotNull(w);
            assertEquals("hello there", w.getMessage());
        }
    }

    @Test
    void targetServerTypePrimaryFollowsTheBackendsRole() throws Exception {
        needsStandIn();
        try (TestServer active = new TestServer();
                TestServer standby = new TestServer(PgServerConfig.defaults(), new TinySqlBackend().hotStandby(true));
                TestServer readOnly = new TestServer(PgServerConfig.defaults(), new TinySqlBackend().readOnly(true))) {
            try (Connection c = active.connect("targetServerType=primary")) {
                assertTrue(c.isValid(5));
            }
            assertThrows(SQLException.class, () -> standby.connect("targetServerType=primary"));
            assertThrows(SQLException.class, () -> readOnly.connect("targetServerType=primary"));
            try (Connection c = standby.connect("targetServerType=secondary")) {
                assertTrue(c.isValid(5));
            }
            // a multi-host URL lands on the active whichever order the hosts are listed in
            String url = "jdbc:postgresql://127.0.0.1:" + standby.port() + ",127.0.0.1:" + readOnly.port()
                    + ",127.0.0.1:" + active.port() + "/test?targetServerType=primary&sslmode=disable";
            Properties p = new Properties();
            p.setProperty("user", "tester");
            try (Connection c = DriverManager.getConnection(url, p); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SHOW in_hot_standby")) {
                assertTrue(rs.next());
                assertEquals("off", rs.getString(1));
                assertEquals("off", c.unwrap(PGConnection.class).getParameterStatus("default_transaction_read_only"));
            }
        }
    }

    @Test
    void statementCancelStopsABlockingStatement() throws Exception {
        needsStandIn();
        try (TestServer s = new TestServer(); Connection c = s.connect(); Statement st = c.createStatement()) {
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    st.executeQuery("SELECT cacdb_sleep()");
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            assertTrue(s.backend.awaitSleeping(1, 10, TimeUnit.SECONDS), "the statement started sleeping");
            st.cancel();
            ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));
            assertEquals("57014", ((SQLException) e.getCause()).getSQLState());
            try (ResultSet rs = st.executeQuery("SELECT 2")) {
                assertTrue(rs.next(), "the connection is still usable");
                assertEquals(2, rs.getInt(1));
            }
            assertEquals(1.0, s.registry.find("cacdb.pgwire.cancel.requests").counter().count());
        }
    }

    @Test
    void connectionLimitRefusesWith53300AndCancelStillWorksAtTheLimit() throws Exception {
        needsStandIn();
        try (TestServer s = new TestServer(PgServerConfig.defaults().withMaxConnections(3), new TinySqlBackend())) {
            List<Connection> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    open.add(s.connect());
                }
                SQLException e = assertThrows(SQLException.class, s::connect);
                assertEquals("53300", e.getSQLState());
                // every slot is taken, yet a CancelRequest gets through
                Statement st = open.get(0).createStatement();
                CompletableFuture<SQLException> running = CompletableFuture.supplyAsync(() -> {
                    try {
                        st.executeQuery("SELECT cacdb_sleep()");
                        return null;
                    } catch (SQLException ex) {
                        return ex;
                    }
                });
                assertTrue(s.backend.awaitSleeping(1, 10, TimeUnit.SECONDS));
                st.cancel();
                assertEquals("57014", running.get(10, TimeUnit.SECONDS).getSQLState());
                open.remove(2).close();
                Await.until("a slot frees up", BOUND, () -> s.server.sessionSlotsTaken() == 2);
                open.add(s.connect());
            } finally {
                for (Connection c : open) {
                    c.close();
                }
            }
            Await.until("every session ended", BOUND, () -> s.backend.openSessions() == 0);
        }
    }

    @Test
    void binaryResultsOfEveryTypeMatchTextResults() throws Exception {
        try (TestServer s = server(); Connection text = s.connect("binaryTransfer=false");
                Connection binary = s.connect("prepareThreshold=-1&binaryTransferEnable=NUMERIC")) {
            try (Statement st = text.createStatement()) {
                st.execute("CREATE TABLE v (n numeric(30,10), d double precision, ts timestamp, b boolean)");
                st.execute("INSERT INTO v VALUES (-12345678901234567890.0123456789, 1e300, '1999-12-31 23:59:59.999999',"
                        + " false), (0, -0.0, '2000-01-01 00:00:00', true)");
            }
            List<String> fromText = dump(text);
            List<String> fromBinary = dump(binary);
            assertEquals(fromText, fromBinary);
            assertEquals("-12345678901234567890.0123456789", fromText.get(0).split("\\|")[0]);
        }
    }

    private static List<String> dump(Connection c) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM v"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(rs.getBigDecimal(1).toPlainString() + "|" + rs.getDouble(2) + "|" + rs.getTimestamp(3) + "|"
                        + rs.getBoolean(4));
            }
        }
        return rows;
    }

    @Test
    void arrayOfManyParametersBindsIntoOneStatement() throws Exception {
        try (TestServer s = server(); Connection c = s.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (a int, b int)");
            }
            StringBuilder sql = new StringBuilder("INSERT INTO t VALUES ");
            int rows = 5_000;
            for (int i = 0; i < rows; i++) {
                sql.append(i == 0 ? "" : ",").append("(?, ?)");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < rows * 2; i++) {
                    ps.setInt(i + 1, i);
                }
                assertEquals(rows, ps.executeUpdate());
            }
            int[] seen = new int[2];
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM t WHERE a = 9998")) {
                assertTrue(rs.next());
                seen[0] = rs.getInt(1);
                seen[1] = rs.getInt(2);
            }
            assertArrayEquals(new int[] {9998, 9999}, seen);
        }
    }
}
