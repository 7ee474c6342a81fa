package io.cacdb.server.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SQL features catalog queries of psql and pgjdbc need, on ordinary tables: LEFT JOIN, scalar and EXISTS
 * subqueries (correlated, nested), subqueries in FROM, row_number() OVER, the regular-expression operators with
 * PostgreSQL's {@code OPERATOR(pg_catalog.~)} spelling, COLLATE and IS [NOT] TRUE. Expected results are what
 * PostgreSQL 15 returns for the same statements.
 */
class SqlCatalogQueryFeaturesTest {

    private static SqlTestServer server;

    @BeforeAll
    static void start() throws SQLException {
        server = new SqlTestServer();
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE dept (id int PRIMARY KEY, name text NOT NULL)");
            st.execute("CREATE TABLE emp (id int PRIMARY KEY, name text, dept int, boss int)");
            st.execute("CREATE INDEX emp_dept ON emp (dept)");
            st.execute("INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'empty')");
            st.execute("INSERT INTO emp VALUES (10, 'ann', 1, NULL), (11, 'bob', 1, 10), (12, 'cy', 2, 10),"
                    + " (13, 'dee', NULL, 12)");
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<String> rows(String sql, Object... params) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = server.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 1; i <= n; i++) {
                        sb.append(i == 1 ? "" : "|").append(rs.getString(i));
                    }
                    out.add(sb.toString());
                }
            }
        }
        return out;
    }

    @Test
    void leftJoinKeepsUnmatchedRowsAndFiltersAfterTheJoin() throws SQLException {
        assertEquals(List.of("empty|null", "eng|ann", "eng|bob", "ops|cy"),
                rows("SELECT d.name, e.name FROM dept d LEFT JOIN emp e ON e.dept = d.id ORDER BY 1, 2"));
        // WHERE on the NULL-extended side runs after the join (an anti-join), ON only filters the inner side
        assertEquals(List.of("empty"),
                rows("SELECT d.name FROM dept d LEFT OUTER JOIN emp e ON e.dept = d.id WHERE e.id IS NULL"));
        assertEquals(List.of("empty|null", "eng|bob", "ops|null"),
                rows("SELECT d.name, e.name FROM dept d LEFT JOIN emp e ON e.dept = d.id AND e.name = 'bob'"
                        + " ORDER BY 1"));
        // a chain: the second LEFT JOIN sees the first one's NULLs; an inner join after it too
        assertEquals(List.of("ann|null|eng", "bob|ann|eng", "cy|ann|ops", "dee|cy|null"),
                rows("SELECT e.name, b.name, d.name FROM emp e LEFT JOIN emp b ON b.id = e.boss"
                        + " LEFT JOIN dept d ON d.id = e.dept ORDER BY 1"));
        assertEquals(List.of("bob|ann", "cy|ann"),
                rows("SELECT e.name, b.name FROM emp e LEFT JOIN emp b ON b.id = e.boss JOIN dept d ON d.id = e.dept"
                        + " WHERE b.name = 'ann' ORDER BY 1"));
    }

    @Test
    void scalarAndExistsSubqueriesMayBeCorrelatedAndNested() throws SQLException {
        assertEquals(List.of("ann|null", "bob|ann", "cy|ann", "dee|cy"),
                rows("SELECT e.name, (SELECT b.name FROM emp b WHERE b.id = e.boss) FROM emp e ORDER BY 1"));
        assertEquals(List.of("empty|0", "eng|2", "ops|1"),
                rows("SELECT name, (SELECT count(*) FROM emp e WHERE e.dept = d.id) AS n FROM dept d ORDER BY name"));
        assertEquals(List.of("eng", "ops"),
                rows("SELECT name FROM dept d WHERE EXISTS (SELECT 1 FROM emp e WHERE e.dept = d.id) ORDER BY 1"));
        assertEquals(List.of("empty"),
                rows("SELECT name FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp e WHERE e.dept = d.id)"));
        // two levels: the innermost query reads the outermost one's row
        assertEquals(List.of("ann|null", "bob|eng", "cy|eng", "dee|null"),
                rows("SELECT e.name, (SELECT d.name FROM dept d WHERE d.id = (SELECT b.dept FROM emp b"
                        + " WHERE b.id = e.boss AND e.dept IS NOT NULL)) FROM emp e ORDER BY 1"));
        assertEquals(List.of("ann|t"), rows("SELECT name, (SELECT true WHERE e.boss IS NULL) FROM emp e"
                + " WHERE (SELECT true WHERE e.boss IS NULL)"));
        SQLException many = assertThrows(SQLException.class, () -> rows("SELECT (SELECT id FROM emp)"));
        assertEquals("21000", many.getSQLState());
        SQLException columns = assertThrows(SQLException.class, () -> rows("SELECT (SELECT id, name FROM emp)"));
        assertEquals("42601", columns.getSQLState());
    }

    @Test
    void subqueriesInUpdateAndDelete() throws SQLException {
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            assertEquals(2, st.executeUpdate("UPDATE emp SET name = (SELECT d.name FROM dept d WHERE d.id = emp.dept)"
                    + " || '-' || name WHERE EXISTS (SELECT 1 FROM emp b WHERE b.id = emp.boss AND b.name = 'ann')"));
            assertEquals(1, st.executeUpdate("DELETE FROM emp WHERE NOT EXISTS (SELECT 1 FROM dept d"
                    + " WHERE d.id = emp.dept)"));
            List<String> seen = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT name FROM emp ORDER BY id")) {
                while (rs.next()) {
                    seen.add(rs.getString(1));
                }
            }
            assertEquals(List.of("ann", "eng-bob", "ops-cy"), seen);
            c.rollback();
        }
        assertEquals(List.of("ann", "bob", "cy", "dee"), rows("SELECT name FROM emp ORDER BY id"));
    }

    @Test
    void subqueriesInFromAndRowNumber() throws SQLException {
        assertEquals(List.of("1|ann|1", "1|bob|2", "2|cy|1"),
                rows("SELECT * FROM (SELECT dept, name, row_number() OVER (PARTITION BY dept ORDER BY id) AS n"
                        + " FROM emp WHERE dept IS NOT NULL) x WHERE x.name LIKE ? ORDER BY dept, n", "%"));
        assertEquals(List.of("dee|1", "cy|2", "bob|3", "ann|4"),
                rows("SELECT name, row_number() OVER (ORDER BY id DESC) FROM emp ORDER BY 2"));
        assertEquals(List.of("eng|2"),
                rows("SELECT t.name, t.n FROM (SELECT d.name, (SELECT count(*) FROM emp e WHERE e.dept = d.id) AS n"
                        + " FROM dept d) AS t WHERE t.n > 1"));
    }

    @Test
    void regularExpressionsCollateAndBooleanTests() throws SQLException {
        assertEquals(List.of("ann"), rows("SELECT name FROM emp WHERE name OPERATOR(pg_catalog.~) '^(ann)$'"
                + " COLLATE pg_catalog.default"));
        assertEquals(List.of("bob", "cy", "dee"), rows("SELECT name FROM emp WHERE name !~ '^a' ORDER BY 1"));
        assertEquals(List.of("ann"), rows("SELECT name FROM emp WHERE name ~* 'AN+'"));
        assertEquals(List.of("ann", "bob"), rows("SELECT name FROM emp WHERE NOT name !~* '^(A|B)' ORDER BY 1"));
        assertEquals(List.of("t|f|f|t"), rows("SELECT 'x' ~ 'x', (NULL::text ~ 'x') IS TRUE, (1 = 2) IS TRUE,"
                + " NULL::boolean IS NOT TRUE"));
        SQLException bad = assertThrows(SQLException.class, () -> rows("SELECT 'a' ~ '('"));
        assertEquals("2201B", bad.getSQLState());
    }
}
