package io.cacdb.server.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postgresql.PGProperty;

/** Sessions that end badly: killed mid-transaction, cancelled while blocked, timed out. */
class SessionLifecycleTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    private static int value(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT v FROM acct WHERE k = 1")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    @Test
    void aSessionKilledMidTransactionRollsBackAndReleasesItsLocks() throws Exception {
        try (SqlTestServer s = new SqlTestServer(); Connection other = s.connect()) {
            try (Statement st = other.createStatement()) {
                st.execute("CREATE TABLE acct (k int PRIMARY KEY, v int)");
                st.execute("INSERT INTO acct VALUES (1, 100)");
            }
            // A raw pgjdbc connection whose socket we can cut: the driver's socket factory hands us the socket.
            KillableSocketFactory.reset();
            Connection victim = s.connect(PGProperty.SOCKET_FACTORY.getName() + "=" + KillableSocketFactory.class.getName());
            victim.setAutoCommit(false);
            try (Statement st = victim.createStatement()) {
                assertEquals(1, st.executeUpdate("UPDATE acct SET v = 999 WHERE k = 1"));
            }
            Socket socket = KillableSocketFactory.last();
            socket.setSoLinger(true, 0); // RST, not FIN: an abrupt death
            socket.close();
            // The other session can now update the row (the lock was released) and saw the old value.
            other.setAutoCommit(false);
            try (Statement st = other.createStatement()) {
                assertEquals(1, st.executeUpdate("UPDATE acct SET v = v + 1 WHERE k = 1"));
            }
            assertEquals(101, value(other), "the killed session's update was rolled back");
            other.commit();
            Conditions.await("the killed session is closed", BOUND, () -> s.node.backend().openSessions() == 1);
            assertThrows(SQLException.class, victim::commit);
        }
    }

    @Test
    void cancelEndsAStatementBlockedOnALockWith57014() throws Exception {
        try (SqlTestServer s = new SqlTestServer(); Connection holder = s.connect(); Connection waiter = s.connect()) {
            try (Statement st = holder.createStatement()) {
                st.execute("CREATE TABLE acct (k int PRIMARY KEY, v int)");
                st.execute("INSERT INTO acct VALUES (1, 100)");
            }
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.executeUpdate("UPDATE acct SET v = 5 WHERE k = 1");
            }
            Statement blocked = waiter.createStatement();
            CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return blocked.executeUpdate("UPDATE acct SET v = 6 WHERE k = 1");
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Conditions.await("the update waits for the lock", BOUND, () -> Conditions.lockWaiters(s) == 1);
            blocked.cancel();
            ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));
            assertEquals("57014", ((SQLException) e.getCause()).getSQLState());
            holder.rollback();
            assertEquals(100, value(waiter), "the session is usable after the cancel");
        }
    }

    @Test
    void statementTimeoutCancelsWith57014() throws Exception {
        try (SqlTestServer s = new SqlTestServer(); Connection holder = s.connect(); Connection waiter = s.connect()) {
            try (Statement st = holder.createStatement()) {
                st.execute("CREATE TABLE acct (k int PRIMARY KEY, v int)");
                st.execute("INSERT INTO acct VALUES (1, 100)");
            }
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.executeUpdate("UPDATE acct SET v = 5 WHERE k = 1");
            }
            try (Statement st = waiter.createStatement()) {
                st.execute("SET statement_timeout = 200");
                SQLException e = assertThrows(SQLException.class,
                        () -> st.executeUpdate("UPDATE acct SET v = 6 WHERE k = 1"));
                assertEquals("57014", e.getSQLState());
                assertTrue(e.getMessage().contains("statement timeout"), e.getMessage());
                st.execute("SET statement_timeout = 0");
            }
            holder.rollback();
        }
    }
}
