package io.cacdb.cli.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A client workload that checks invariants across faults (STYLE "workloads check an invariant while faults run"):
 * worker threads over pgjdbc move money between accounts — each transfer also inserts one row into an insert-only
 * audit table — and record the audit id of every commit the server <em>acknowledged</em>. After a takeover every
 * acknowledged audit row must be there and the accounts must still hold the total they started with. Workers reconnect
 * through the multi-host URL when their connection fails (the active died, the standby refused with 57P03).
 *
 * <p>Commit completion times are kept (bounded) so the client-observed gap around a kill can be measured.
 */
final class BankAuditWorkload implements AutoCloseable {

    static final int ACCOUNTS = 20;
    static final long INITIAL_BALANCE = 1_000;
    /** Bounds the commit-time record: far more commits than a test makes. */
    static final int COMMIT_TIMES_MAX = 4_000_000;

    private final String url;
    private final int workers;
    private final long seed;
    private final List<Thread> threads = new ArrayList<>();
    private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final long[] commitTimes = new long[COMMIT_TIMES_MAX];
    private int commitTimeCount;
    private volatile boolean running;

    BankAuditWorkload(String url, int workers, long seed) {
        this.url = url;
        this.workers = workers;
        this.seed = seed;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** Creates the tables and the accounts, retrying while no node serves yet. */
    void setUp() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
            s.execute("CREATE TABLE audit (id BIGINT PRIMARY KEY, worker INT NOT NULL, amount BIGINT NOT NULL)");
            StringBuilder insert = new StringBuilder("INSERT INTO accounts (id, balance) VALUES ");
            for (int i = 0; i < ACCOUNTS; i++) {
                insert.append(i == 0 ? "" : ", ").append('(').append(i).append(", ").append(INITIAL_BALANCE)
                        .append(')');
            }
            s.execute(insert.toString());
        }
    }

    void start() {
        running = true;
        for (int w = 0; w < workers; w++) {
            int worker = w;
            Thread t = Thread.ofPlatform().name("bank-worker-" + w).daemon().start(() -> run(worker));
            threads.add(t);
        }
    }

    private void run(int worker) {
        SplittableRandom random = new SplittableRandom(seed + worker);
        long sequence = 0;
        Connection c = null;
        while (running) {
            long id = ((long) worker << 40) | sequence++;
            try {
                if (c == null) {
                    c = connect();
                    c.setAutoCommit(false);
                }
                int a = random.nextInt(ACCOUNTS);
                int b = (a + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                long amount = 1 + random.nextInt(50);
                // lower id first: transfers never deadlock on each other
                update(c, Math.min(a, b), a < b ? -amount : amount);
                update(c, Math.max(a, b), a < b ? amount : -amount);
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO audit (id, worker, amount) VALUES (?, ?, ?)")) {
                    ps.setLong(1, id);
                    ps.setInt(2, worker);
                    ps.setLong(3, amount);
                    ps.executeUpdate();
                }
                c.commit();
                acknowledged.add(id);
                commits.incrementAndGet();
                recordCommit(System.nanoTime());
            } catch (SQLException e) {
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                if (state.equals("40001") || state.equals("40P01")) {
                    retries.incrementAndGet();
                    rollbackQuietly(c);
                    continue;
                }
                // the connection is gone (08xxx, 57P0x, an I/O error): the commit's outcome is unknown, so the id is
                // not recorded as acknowledged; reconnect through the multi-host URL
                closeQuietly(c);
                c = null;
                reconnects.incrementAndGet();
                LockSupport.parkNanos(20_000_000L);
            }
        }
        closeQuietly(c);
    }

    private static void update(Connection c, int account, long delta) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
            ps.setLong(1, delta);
            ps.setInt(2, account);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("account " + account + " missing");
            }
        }
    }

    private synchronized void recordCommit(long nanos) {
        if (commitTimeCount < COMMIT_TIMES_MAX) {
            commitTimes[commitTimeCount++] = nanos;
        }
    }

    /**
     * The client-observed gap in commits: the longest time between two consecutive commit completions (of any worker)
     * within {@code [fromNanos, toNanos]} — around a kill, the downtime the clients saw. Commits acknowledged by the
     * dying active but received after the kill do not hide it, since only the longest gap counts.
     */
    synchronized long longestGapNanos(long fromNanos, long toNanos) {
        long[] in = java.util.Arrays.stream(commitTimes, 0, commitTimeCount)
                .filter(t -> t >= fromNanos && t <= toNanos).sorted().toArray();
        long longest = 0;
        for (int i = 1; i < in.length; i++) {
            longest = Math.max(longest, in[i] - in[i - 1]);
        }
        return longest;
    }

    synchronized long commitsAfter(long eventNanos) {
        long n = 0;
        for (int i = 0; i < commitTimeCount; i++) {
            if (commitTimes[i] > eventNanos) {
                n++;
            }
        }
        return n;
    }

    long commits() {
        return commits.get();
    }

    long reconnects() {
        return reconnects.get();
    }

    long retries() {
        return retries.get();
    }

    /** What the checks found. */
    record Check(long total, long auditRows, int acknowledged, int missing) {

        /**
         * Fails unless the invariants hold: no acknowledged commit is missing, the accounts hold the total they
         * started with, and there are at least as many audit rows as acknowledged commits.
         */
        void assertIntact(String context) {
            assertEquals(0, missing, "acknowledged commits lost: " + this + "; " + context);
            assertEquals(ACCOUNTS * INITIAL_BALANCE, total, "the bank total: " + this + "; " + context);
            assertTrue(auditRows >= acknowledged, "fewer audit rows than acknowledged commits: " + this + "; "
                    + context);
        }
    }

    /**
     * Checks the invariants on whichever node serves now: the accounts' total is unchanged, every audit id
     * acknowledged before the check started is present. Retries while no node serves.
     */
    Check check() throws SQLException {
        Set<Long> ackedBefore = new HashSet<>(acknowledged);
        SQLException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try (Connection c = connect()) {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                long total;
                Set<Long> present = new HashSet<>();
                try (Statement s = c.createStatement()) {
                    try (ResultSet rs = s.executeQuery("SELECT sum(balance), count(*) FROM accounts")) {
                        rs.next();
                        total = rs.getLong(1);
                        if (rs.getLong(2) != ACCOUNTS) {
                            throw new AssertionError(rs.getLong(2) + " accounts, expected " + ACCOUNTS);
                        }
                    }
                    try (ResultSet rs = s.executeQuery("SELECT id FROM audit")) {
                        while (rs.next()) {
                            present.add(rs.getLong(1));
                        }
                    }
                }
                c.commit();
                int missing = 0;
                for (long id : ackedBefore) {
                    if (!present.contains(id)) {
                        missing++;
                    }
                }
                return new Check(total, present.size(), ackedBefore.size(), missing);
            } catch (SQLException e) {
                last = e;
                if ("40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState())) {
                    continue;
                }
                LockSupport.parkNanos(100_000_000L);
            }
        }
        throw last;
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.rollback();
        } catch (SQLException e) {
            // the next statement on this connection fails and reconnects
            System.err.println("bank workload: rollback failed: " + e.getMessage());
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            System.err.println("bank workload: close failed: " + e.getMessage());
        }
    }
}
