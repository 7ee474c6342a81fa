package io.cacdb.server.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;

/** The SQL surface through real pgjdbc 42.7.14, a real PgServer and a real Database (one server for the class). */
class SqlJdbcTest {

    private static SqlTestServer server;

    @BeforeAll
    static void start() {
        server = new SqlTestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Connection connect() throws SQLException {
        return server.connect();
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    private static String state(Connection c, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
        }, sql);
        return e.getSQLState();
    }

    @Test
    void ddlAndDmlOfEveryKind() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE emp (id int PRIMARY KEY, name varchar(20) NOT NULL, dept smallint,"
                    + " salary numeric(10,2) DEFAULT 1000, bonus real, rate double precision, code char(3),"
                    + " note text, active boolean DEFAULT true, hired date, seen timestamp, big bigint UNIQUE)");
            assertEquals(3, st.executeUpdate("INSERT INTO emp (id, name, dept, salary, hired) VALUES"
                    + " (1, 'ann', 10, 5000, '2020-01-02'), (2, 'bob', 10, 4000.5, '2021-03-04'),"
                    + " (3, 'cid', 20, NULL, '2022-05-06')"));
            assertEquals(List.of("1|ann|5000.00|t", "2|bob|4000.50|t", "3|cid|null|t"),
                    rows(c, "SELECT id, name, salary, active FROM emp ORDER BY id"));
            assertEquals(List.of("1000.00"), rows(c, "INSERT INTO emp (id, name) VALUES (4, 'dan') RETURNING salary"));
            assertEquals(2, st.executeUpdate("UPDATE emp SET salary = salary * 2, note = 'x' || name WHERE dept = 10"));
            assertEquals(List.of("1|10000.00|xann", "2|8001.00|xbob"),
                    rows(c, "SELECT id, salary, note FROM emp WHERE note LIKE 'x%' ORDER BY salary DESC, id"
                            .replace("salary DESC, id", "id")));
            assertEquals(List.of("3"), rows(c, "DELETE FROM emp WHERE salary IS NULL RETURNING id"));
            st.execute("CREATE UNIQUE INDEX emp_dept_name ON emp (dept, name)");
            st.execute("CREATE INDEX emp_hired ON emp (hired)");
            st.execute("DROP INDEX emp_hired");
            assertEquals("23505", state(c, "INSERT INTO emp (id, name, dept) VALUES (9, 'ann', 10)"));
            assertEquals("23505", state(c, "INSERT INTO emp (id, name) VALUES (1, 'dup')"));
            assertEquals("23502", state(c, "INSERT INTO emp (id) VALUES (10)"));
            st.execute("TRUNCATE emp");
            assertEquals(List.of("0"), rows(c, "SELECT count(*) FROM emp"));
            st.execute("DROP TABLE emp CASCADE");
            st.execute("DROP TABLE IF EXISTS emp");
            assertEquals("42P01", state(c, "SELECT * FROM emp"));
            st.execute("CREATE TABLE pair (a int, b int, c text, PRIMARY KEY (a, b))");
            st.execute("INSERT INTO pair VALUES (1, 2, 'x'), (1, 1, 'y'), (2, 1, 'z')");
            assertEquals(List.of("1|1|y", "1|2|x", "2|1|z"), rows(c, "SELECT * FROM pair"));
            assertEquals(List.of("1|2|x"), rows(c, "SELECT * FROM pair WHERE a = 1 AND b > 1"));
            st.execute("CREATE TABLE IF NOT EXISTS pair (a int)");
            st.execute("DROP TABLE pair");
        }
    }

    @Test
    void selectExpressionsPredicatesAggregatesAndJoins() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE s (id int PRIMARY KEY, grp varchar(5), v int, f double precision)");
            st.execute("CREATE TABLE g (name varchar(5) PRIMARY KEY, label text)");
            st.execute("INSERT INTO g VALUES ('a', 'alpha'), ('b', 'beta'), ('c', 'gamma')");
            StringBuilder sql = new StringBuilder("INSERT INTO s VALUES ");
            for (int i = 1; i <= 20; i++) {
                sql.append(i == 1 ? "" : ",").append("(").append(i).append(", '").append(i % 3 == 0 ? "a" : i % 3 == 1
                        ? "b" : "c").append("', ").append(i % 4 == 0 ? "NULL" : String.valueOf(i)).append(", ")
                        .append(i / 2.0).append(")");
            }
            st.execute(sql.toString());
            assertEquals(List.of("7", "8", "9"), rows(c, "SELECT id FROM s WHERE id BETWEEN 7 AND 9 ORDER BY id"));
            assertEquals(List.of("2", "5"), rows(c, "SELECT id FROM s WHERE id IN (2, 5, 99) ORDER BY 1"));
            assertEquals(List.of("4", "8"), rows(c, "SELECT id FROM s WHERE v IS NULL AND id < 10 ORDER BY id"));
            assertEquals(List.of("1", "3"), rows(c, "SELECT id FROM s WHERE (id = 1 OR id = 3) AND NOT (v IS NULL)"
                    + " ORDER BY id"));
            assertEquals(List.of("15|7.5|30|-15"), rows(c, "SELECT id, f, id * 2 AS twice, -id FROM s WHERE id = 15"));
            assertEquals(List.of("20", "19", "18"), rows(c, "SELECT id FROM s ORDER BY id DESC LIMIT 3"));
            assertEquals(List.of("3", "4"), rows(c, "SELECT id FROM s ORDER BY id LIMIT 2 OFFSET 2"));
            assertEquals(List.of("a|6|3|18|6", "b|7|1|19|7", "c|7|2|20|7"),
                    rows(c, "SELECT grp, count(*), min(id), max(id), count(DISTINCT id) FROM s GROUP BY grp ORDER BY grp"));
            assertEquals(List.of("b|50", "a|51"), rows(c, "SELECT grp, sum(v) AS total FROM s GROUP BY grp"
                    + " HAVING sum(v) >= 50 ORDER BY total"));
            assertEquals(List.of("20|10.5000000000000000|15"), rows(c, "SELECT count(*), avg(id), count(v) FROM s"));
            assertEquals(List.of("null|0"), rows(c, "SELECT max(id), count(*) FROM s WHERE id > 100"));
            assertEquals(List.of("3|alpha", "6|alpha"), rows(c, "SELECT s.id, g.label FROM s JOIN g ON s.grp = g.name"
                    + " WHERE s.id < 7 AND g.name = 'a' ORDER BY s.id"));
            assertEquals(List.of("2|gamma", "5|gamma"), rows(c, "SELECT x.id, y.label FROM s x, g y WHERE x.grp = y.name"
                    + " AND y.label = 'gamma' AND x.id <= 5 ORDER BY x.id"));
            assertEquals(List.of("alpha|6", "beta|7", "gamma|7"), rows(c, "SELECT label, count(*) FROM s INNER JOIN g"
                    + " ON grp = name GROUP BY label ORDER BY label"));
            assertEquals(List.of("a", "b", "c"), rows(c, "SELECT DISTINCT grp FROM s ORDER BY grp"));
            assertEquals(List.of("1|t|null"), rows(c, "SELECT 1, true, NULL::int"));
            assertEquals(List.of("3|2.5000000000000000|x|ab|7"), rows(c, "SELECT 7 / 2, 5.0 / 2, 'x'::text, 'a' || 'b', 7 % 10"));
            assertEquals(List.of("null|t|null|f"), rows(c, "SELECT NULL = 1, NULL IS NULL, NULL AND true, NULL AND false"));
            assertEquals(List.of("t|null"), rows(c, "SELECT NULL OR true, NULL OR false"));
            assertEquals(List.of("b", "c"), rows(c, "SELECT CASE WHEN id = 1 THEN 'b' ELSE 'c' END FROM s WHERE id < 3"
                    + " ORDER BY id"));
            assertTrue(rows(c, "SELECT version()").get(0).startsWith("PostgreSQL 15"));
            assertEquals(1, rows(c, "SELECT now(), current_timestamp, CAST('2024-01-01' AS date)").size());
            assertEquals(List.of("12|abc"), rows(c, "SELECT CAST('12' AS integer), upper('ABC')::varchar(3)"
                    .replace("upper", "lower")));
            st.execute("DROP TABLE s");
            st.execute("DROP TABLE g");
        }
    }

    @Test
    void errorsCarryTheirSqlStates() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE errs (a int PRIMARY KEY, b varchar(3), c smallint)");
            PSQLException syntax = assertThrows(PSQLException.class, () -> st.execute("SELECT a FROM errs WHERE"));
            assertEquals("42601", syntax.getSQLState());
            PSQLException typo = assertThrows(PSQLException.class, () -> st.execute("SELEKT 1"));
            assertEquals("42601", typo.getSQLState());
            assertEquals(1, typo.getServerErrorMessage().getPosition());
            assertEquals("42P01", state(c, "SELECT * FROM nowhere"));
            PSQLException column = assertThrows(PSQLException.class, () -> st.execute("SELECT zz FROM errs"));
            assertEquals("42703", column.getSQLState());
            assertEquals(8, column.getServerErrorMessage().getPosition());
            assertEquals("42804", state(c, "INSERT INTO errs VALUES (true)"));
            assertEquals("42804", state(c, "SELECT * FROM errs WHERE a"));
            assertEquals("22012", state(c, "SELECT 1 / 0"));
            assertEquals("22012", state(c, "SELECT 1.5 / 0"));
            assertEquals("22001", state(c, "INSERT INTO errs VALUES (1, 'toolong')"));
            assertEquals("22003", state(c, "INSERT INTO errs VALUES (1, 'ok', 70000)"));
            assertEquals("22P02", state(c, "INSERT INTO errs VALUES ('x')"));
            assertEquals("42883", state(c, "SELECT 1 = 'a'::text"));
            assertEquals("42803", state(c, "SELECT a, count(*) FROM errs"));
            assertEquals("42883", state(c, "SELECT nofunction(1)"));
            assertEquals("42704", state(c, "SET no_such_parameter = 1"));
            st.execute("INSERT INTO errs VALUES (1, 'ok  ', 1)");
            assertEquals(List.of("ok "), rows(c, "SELECT b FROM errs"), "excess spaces are cut to the length");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO errs (a, c) VALUES (?, ?)")) {
                ps.setLong(1, 5_000_000_000L);
                ps.setInt(2, 1);
                assertEquals("22003", assertThrows(SQLException.class, ps::executeUpdate).getSQLState());
            }
            StringBuilder huge = new StringBuilder("SELECT 1");
            while (huge.length() <= io.cacdb.server.sql.parse.SqlParser.STATEMENT_CHARS_MAX) {
                huge.append(" + 1");
            }
            assertEquals("54000", state(c, huge.toString()));
            st.execute("DROP TABLE errs");
        }
    }

    @Test
    void failedTransactionStateUntilRollbackAndStatementAtomicity() throws Exception {
        try (Connection c = connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE ft (a int PRIMARY KEY)");
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO ft VALUES (1)");
                // a multi-row insert failing on its second row leaves nothing of the statement
                assertEquals("23505", state(c, "INSERT INTO ft VALUES (2), (1)"));
                assertEquals("25P02", state(c, "SELECT 1"));
                try (PreparedStatement ps = c.prepareStatement("SELECT * FROM ft WHERE a = ?")) {
                    ps.setInt(1, 1);
                    assertEquals("25P02", assertThrows(SQLException.class, ps::executeQuery).getSQLState());
                }
                c.rollback();
                assertEquals(List.of("0"), rows(c, "SELECT count(*) FROM ft"));
                // savepoints: ROLLBACK TO clears the failed state and keeps what came before
                st.executeUpdate("INSERT INTO ft VALUES (10)");
                var sp = c.setSavepoint("s1");
                st.executeUpdate("INSERT INTO ft VALUES (11)");
                assertEquals("23505", state(c, "INSERT INTO ft VALUES (11)"));
                c.rollback(sp);
                st.executeUpdate("INSERT INTO ft VALUES (12)");
                c.commit();
                assertEquals(List.of("10", "12"), rows(c, "SELECT a FROM ft ORDER BY a"));
                c.commit();
            }
            c.setAutoCommit(true);
            // autocommit: a multi-statement simple query is one implicit transaction
            try (Statement st = c.createStatement()) {
                assertThrows(SQLException.class, () -> st.execute("INSERT INTO ft VALUES (20); INSERT INTO ft VALUES (10)"));
                assertEquals(List.of("10", "12"), rows(c, "SELECT a FROM ft ORDER BY a"));
                st.execute("INSERT INTO ft VALUES (21); INSERT INTO ft VALUES (22)");
                st.execute("BEGIN; INSERT INTO ft VALUES (23); COMMIT; INSERT INTO ft VALUES (24)");
                st.execute("START TRANSACTION ISOLATION LEVEL SERIALIZABLE; INSERT INTO ft VALUES (25); ROLLBACK");
                assertEquals(List.of("10", "12", "21", "22", "23", "24"), rows(c, "SELECT a FROM ft ORDER BY a"));
                st.execute("DROP TABLE ft");
            }
        }
    }

    @Test
    void settingsAndTransactionCharacteristics() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String set : List.of("SET search_path = public", "SET application_name TO 'x'",
                    "SET client_min_messages = warning", "SET extra_float_digits = 3", "SET DateStyle = 'ISO, MDY'",
                    "SET TimeZone = 'UTC'", "SET statement_timeout = 0", "SET SESSION search_path TO public",
                    "SET TIME ZONE 'UTC'", "RESET application_name")) {
                st.execute(set);
            }
            assertEquals(List.of("warning"), rows(c, "SHOW client_min_messages"));
            assertEquals(List.of("read committed"), rows(c, "SHOW transaction_isolation"));
            assertEquals(List.of("off"), rows(c, "SHOW transaction_read_only"));
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            assertEquals(Connection.TRANSACTION_SERIALIZABLE, c.getTransactionIsolation());
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            assertEquals(List.of("repeatable read"), rows(c, "SHOW default_transaction_isolation"));
            st.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED");
            st.execute("BEGIN; SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
            assertEquals(List.of("serializable"), rows(c, "SHOW transaction_isolation"));
            st.execute("COMMIT");
            assertTrue(rows(c, "SHOW ALL").size() > 20);
        }
    }

    /** Every type through text and binary parameters, in the forms pgjdbc sends. */
    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1&binaryTransferEnable=NUMERIC", "binaryTransfer=false",
            "preferQueryMode=simple"})
    void everyTypeRoundTrips(String options) throws Exception {
        String table = "types_" + Math.abs(options.hashCode());
        try (Connection c = server.connect(options)) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE " + table + " (i int PRIMARY KEY, l bigint, sm smallint, n numeric(12,3),"
                        + " d double precision, f real, s varchar(20), ch char(5), b boolean, ts timestamp, dt date,"
                        + " t text, fl float)");
            }
            Timestamp ts = Timestamp.valueOf(LocalDateTime.of(2024, 5, 6, 7, 8, 9, 123_456_000));
            for (int round = 0; round < 7; round++) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                        + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
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
                    ps.setDouble(13, 2.25);
                    assertEquals(1, ps.executeUpdate());
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " WHERE i = ? AND ch = ?"
                        + " AND ts = ? AND s LIKE ?")) {
                    ps.setInt(1, round);
                    ps.setString(2, "ab");
                    ps.setTimestamp(3, ts);
                    ps.setString(4, "h%");
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next(), "round " + round);
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
                        assertNull(rs.getString(12));
                        assertEquals(2.25, rs.getDouble(13));
                        assertFalse(rs.next());
                    }
                }
            }
            // assignment casts the TPC-C loader relies on, and a timestamp with a zone offset sent as unknown
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (i, l, sm, n, ts) VALUES (?, ?, ?, ?, ?)")) {
                ps.setLong(1, 100L);
                ps.setInt(2, 7);
                ps.setLong(3, 3L);
                ps.setDouble(4, 2.5);
                ps.setObject(5, "2024-01-02 03:04:05+01", Types.OTHER);
                assertEquals(1, ps.executeUpdate());
            }
            assertEquals(List.of("7|3|2.500|2024-01-02 03:04:05"), rows(c, "SELECT l, sm, n, ts FROM " + table
                    + " WHERE i = 100"));
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE " + table);
            }
        }
    }

    @Test
    void preparedStatementsReusedThousandsOfTimesAndBatches() throws Exception {
        try (Connection c = server.connect("reWriteBatchedInserts=true")) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE reuse (k int PRIMARY KEY, v bigint)");
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO reuse VALUES (?, ?)")) {
                for (int i = 0; i < 1000; i++) {
                    ins.setInt(1, i);
                    ins.setLong(2, i * 10L);
                    ins.addBatch();
                    if (i % 128 == 127 || i == 999) {
                        ins.executeBatch();
                    }
                }
            }
            try (PreparedStatement upd = c.prepareStatement("UPDATE reuse SET v = v + ? WHERE k = ?");
                    PreparedStatement sel = c.prepareStatement("SELECT v FROM reuse WHERE k = ?")) {
                for (int i = 0; i < 3000; i++) {
                    upd.setInt(1, 1);
                    upd.setInt(2, i % 1000);
                    assertEquals(1, upd.executeUpdate());
                    sel.setInt(1, i % 1000);
                    try (ResultSet rs = sel.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals((i % 1000) * 10L + i / 1000 + 1, rs.getLong(1));
                    }
                }
                assertTrue(sel.unwrap(org.postgresql.PGStatement.class).isUseServerPrepare());
            }
            assertTrue(server.node.backend().cachedPlans() > 0);
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE reuse");
            }
        }
    }

    @Test
    void ddlInvalidatesPreparedPlans() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE ddl_inv (a int PRIMARY KEY, b int)");
            st.execute("INSERT INTO ddl_inv VALUES (1, 10), (2, 20)");
            try (PreparedStatement ps = c.prepareStatement("SELECT a FROM ddl_inv WHERE b = ?")) {
                for (int i = 0; i < 6; i++) {
                    ps.setInt(1, 20);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                    }
                }
                assertTrue(TpccTest.explain(c, "SELECT a FROM ddl_inv WHERE b = 20").contains("Seq Scan"));
                st.execute("CREATE INDEX ddl_inv_b ON ddl_inv (b)");
                assertTrue(TpccTest.explain(c, "SELECT a FROM ddl_inv WHERE b = 20").contains("ddl_inv_b"));
                ps.setInt(1, 20);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(2, rs.getInt(1));
                }
            }
            st.execute("DROP TABLE ddl_inv");
        }
    }

    @Test
    void explainShowsIndexUse() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE ex_a (id int PRIMARY KEY, k int, v text)");
            st.execute("CREATE TABLE ex_b (id int, seq int, a_id int, PRIMARY KEY (id, seq))");
            st.execute("CREATE INDEX ex_a_k ON ex_a (k)");
            String point = TpccTest.explain(c, "SELECT v FROM ex_a WHERE id = 5");
            assertTrue(point.startsWith("Index Point Lookup using ex_a_pkey on ex_a"), point);
            String range = TpccTest.explain(c, "SELECT v FROM ex_a WHERE k >= 3 AND k < 9");
            assertTrue(range.contains("Index Scan using ex_a_k on ex_a") && range.contains("k >= 3 AND k < 9"), range);
            String join = TpccTest.explain(c, "SELECT b.seq, a.v FROM ex_b b JOIN ex_a a ON a.id = b.a_id WHERE b.id = 1");
            assertTrue(join.contains("Nested Loop (index)"), join);
            assertTrue(join.contains("Index Scan using ex_b_pkey on ex_b b"), join);
            assertTrue(join.contains("Index Point Lookup using ex_a_pkey on ex_a a"), join);
            String ordered = TpccTest.explain(c, "SELECT seq FROM ex_b WHERE id = 1 ORDER BY seq DESC LIMIT 1");
            assertTrue(ordered.contains("Index Scan Backward using ex_b_pkey") && !ordered.contains("Sort"), ordered);
            String sorted = TpccTest.explain(c, "SELECT id FROM ex_a ORDER BY v LIMIT 3");
            assertTrue(sorted.contains("Sort (top-N)") && sorted.contains("Seq Scan on ex_a"), sorted);
            st.execute("DROP TABLE ex_a");
            st.execute("DROP TABLE ex_b");
        }
    }

    @Test
    void selectForUpdateBlocksAnotherWriterUntilCommit() throws Exception {
        try (Connection a = connect(); Connection b = connect()) {
            try (Statement st = a.createStatement()) {
                st.execute("CREATE TABLE fu (k int PRIMARY KEY, v int)");
                st.execute("INSERT INTO fu VALUES (1, 0)");
            }
            a.setAutoCommit(false);
            try (Statement st = a.createStatement(); ResultSet rs = st.executeQuery("SELECT v FROM fu WHERE k = 1 FOR UPDATE")) {
                assertTrue(rs.next());
            }
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
                try (Statement st = b.createStatement()) {
                    started.countDown();
                    return st.executeUpdate("UPDATE fu SET v = v + 1 WHERE k = 1");
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            Conditions.await("the update waits for the row lock", java.time.Duration.ofSeconds(10),
                    () -> Conditions.lockWaiters(server) == 1);
            assertFalse(blocked.isDone(), "the update waits for the FOR UPDATE lock");
            try (Statement st = a.createStatement()) {
                st.executeUpdate("UPDATE fu SET v = 10 WHERE k = 1");
            }
            a.commit();
            assertEquals(1, blocked.get(10, TimeUnit.SECONDS));
            assertEquals(List.of("11"), rows(b, "SELECT v FROM fu"));
            a.setAutoCommit(true);
            try (Statement st = a.createStatement()) {
                st.execute("DROP TABLE fu");
            }
        }
    }

    @Test
    void serializableBlocksPhantomsReadCommittedDoesNot() throws Exception {
        try (Connection a = connect(); Connection b = connect()) {
            try (Statement st = a.createStatement()) {
                st.execute("CREATE TABLE ph (k int PRIMARY KEY)");
                st.execute("INSERT INTO ph VALUES (1), (5)");
            }
            a.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            // the engine's next-key locks protect a range from inserters that run SERIALIZABLE too (docs/locking.md)
            b.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            a.setAutoCommit(false);
            assertEquals(List.of("1"), rows(a, "SELECT count(*) FROM ph WHERE k BETWEEN 2 AND 9"));
            CompletableFuture<Integer> insert = CompletableFuture.supplyAsync(() -> {
                try (Statement st = b.createStatement()) {
                    return st.executeUpdate("INSERT INTO ph VALUES (3)");
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            assertEquals(List.of("1"), rows(a, "SELECT count(*) FROM ph WHERE k BETWEEN 2 AND 9"), "no phantom");
            a.commit();
            assertEquals(1, insert.get(10, TimeUnit.SECONDS), "the insert ran once the reader committed");
            a.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            assertEquals(List.of("2"), rows(a, "SELECT count(*) FROM ph WHERE k BETWEEN 2 AND 9"));
            try (Statement st = b.createStatement()) {
                st.executeUpdate("INSERT INTO ph VALUES (4)");
            }
            assertEquals(List.of("3"), rows(a, "SELECT count(*) FROM ph WHERE k BETWEEN 2 AND 9"), "read committed");
            a.commit();
            a.setAutoCommit(true);
            try (Statement st = a.createStatement()) {
                st.execute("DROP TABLE ph");
            }
        }
    }

    @Test
    void deadlockIsReportedWith40P01() throws Exception {
        try (Connection a = connect(); Connection b = connect()) {
            try (Statement st = a.createStatement()) {
                st.execute("CREATE TABLE dl (k int PRIMARY KEY, v int)");
                st.execute("INSERT INTO dl VALUES (1, 0), (2, 0)");
            }
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            try (Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
                sa.executeUpdate("UPDATE dl SET v = 1 WHERE k = 1");
                sb.executeUpdate("UPDATE dl SET v = 2 WHERE k = 2");
                CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
                    try {
                        sa.executeUpdate("UPDATE dl SET v = 1 WHERE k = 2");
                        return "ok";
                    } catch (SQLException e) {
                        return e.getSQLState();
                    }
                });
                String second;
                try {
                    sb.executeUpdate("UPDATE dl SET v = 2 WHERE k = 1");
                    second = "ok";
                } catch (SQLException e) {
                    second = e.getSQLState();
                    b.rollback();
                }
                String firstState = first.get(20, TimeUnit.SECONDS);
                assertTrue(List.of(firstState, second).contains("40P01"), firstState + " / " + second);
                a.rollback();
                b.rollback();
            }
            a.setAutoCommit(true);
            try (Statement st = a.createStatement()) {
                st.execute("DROP TABLE dl");
            }
        }
    }
}
