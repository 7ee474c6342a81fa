package io.cacdb.server.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void basics() throws Exception {
        try (SqlTestServer s = new SqlTestServer(); Connection c = s.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (a int PRIMARY KEY, b varchar(10), c numeric(8,2))");
            assertEquals(2, st.executeUpdate("INSERT INTO t VALUES (1, 'x', 1.5), (2, 'y', 2.25)"));
            try (ResultSet rs = st.executeQuery("SELECT a, b, c * 2 AS d FROM t WHERE a >= 1 ORDER BY a DESC")) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1));
                assertEquals("4.50", rs.getBigDecimal("d").toPlainString());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT b FROM t WHERE a = ?")) {
                for (int i = 0; i < 10; i++) {
                    ps.setInt(1, 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals("x", rs.getString(1));
                    }
                }
            }
            try (ResultSet rs = st.executeQuery("EXPLAIN SELECT b FROM t WHERE a = 1")) {
                StringBuilder sb = new StringBuilder();
                while (rs.next()) {
                    sb.append(rs.getString(1)).append('\n');
                }
                System.out.println(sb);
                assertTrue(sb.toString().contains("t_pkey"));
            }
        }
    }
}
