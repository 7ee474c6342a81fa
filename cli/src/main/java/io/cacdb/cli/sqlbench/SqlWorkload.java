package io.cacdb.cli.sqlbench;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The SQL benchmark's workload, identical for every system it runs against (plain pgjdbc, nothing
 * system-specific):
 *
 * <pre>
 * CREATE TABLE sbtest (id BIGINT PRIMARY KEY, k BIGINT NOT NULL, c VARCHAR(120) NOT NULL)
 * load:   INSERT INTO sbtest (id, k, c) VALUES (?, ?, ?)     batches of LOAD_BATCH_ROWS, one transaction each,
 *                                                             LOAD_THREADS connections over disjoint id ranges,
 *                                                             reWriteBatchedInserts=true (multi-row VALUES)
 * select: SELECT k, c FROM sbtest WHERE id = ?              id uniform in [1, rows]
 * update: UPDATE sbtest SET k = k + 1 WHERE id = ?          id uniform in [1, rows]; must update exactly 1 row
 * </pre>
 *
 * Each of the C connections runs in <b>autocommit</b>: every statement is its own transaction, so every update is
 * one durable commit (the commit path is what is compared), and a select takes no lock past its statement. Prepared
 * statements are reused per connection (pgjdbc switches to server-side prepared statements after 5 executions).
 * A warm-up phase runs first and is not counted.
 *
 * <p>Invariant checked afterwards: {@code sum(k)} grew by exactly the number of acknowledged updates (between that
 * and that plus the updates whose outcome is unknown, if a connection broke mid-statement). A lost or doubled
 * commit fails it.
 */
public final class SqlWorkload {

    public static final String TABLE = "sbtest";
    /** Rows per load transaction: large enough to amortise the commit, small enough to keep undo and locks bounded. */
    static final int LOAD_BATCH_ROWS = 1_000;
    /** pgjdbc options of the loader's connections. */
    static final String LOAD_CONNECTION_OPTIONS = "reWriteBatchedInserts=true";
    /** Loader connections: the loader is the system's own insert path, four streams keep both cores busy. */
    static final int LOAD_THREADS = 4;
    /** Progress lines during the load, at most this often. */
    static final Duration LOAD_PROGRESS_EVERY = Duration.ofSeconds(5);
    /** Bound on one statement (pgjdbc socket timeout): far above any sane latency, ends a hung run. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(60);
    /** Highest latency the histograms track: one minute, the statement timeout. */
    static final long HISTOGRAM_MAX_MICROS = STATEMENT_TIMEOUT.toNanos() / 1_000;
    /** Time allowed for all connections to open before the warm-up counts down. */
    static final Duration CONNECT_ALLOWANCE = Duration.ofSeconds(5);
    /** Width of the filler column: like sysbench's 120-character c, without its cost for the client. */
    static final int PAD_CHARS = 60;

    /**
     * What to run.
     *
     * @param rows          table size
     * @param connections   concurrent client connections
     * @param warmup        uncounted run before the measurement
     * @param duration      measured run
     * @param updatePercent share of updates among the statements, 0..100
     * @param seed          seed of the id choices (each connection splits its own stream from it)
     */
    public record Options(long rows, int connections, Duration warmup, Duration duration, int updatePercent,
            long seed) {
        public Options {
            Objects.requireNonNull(warmup, "warmup");
            Objects.requireNonNull(duration, "duration");
            if (rows < 1) {
                throw new IllegalArgumentException("rows must be >= 1, was " + rows);
            }
            if (connections < 1) {
                throw new IllegalArgumentException("connections must be >= 1, was " + connections);
            }
            if (warmup.isNegative() || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("warm-up must be >= 0 and duration > 0, were " + warmup + ", "
                        + duration);
            }
            if (updatePercent < 0 || updatePercent > 100) {
                throw new IllegalArgumentException("update percent must be in 0..100, was " + updatePercent);
            }
        }
    }

    /** Latency percentiles of one statement kind, in milliseconds. */
    public record Latency(long count, double p50Ms, double p95Ms, double p99Ms, double maxMs) {
        static Latency of(Histogram h) {
            return new Latency(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(95)),
                    ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()));
        }

        private static double ms(long micros) {
            return Math.round(micros / 10.0) / 100.0;
        }
    }

    /**
     * What a run measured.
     *
     * @param loadSeconds     time to create and load the table
     * @param tps             statements (each its own transaction) per second in the measured window
     * @param errors          failed statements by SQLSTATE (or exception class) in the measured window
     * @param invariant       the sum check: "ok", or what went wrong, or why it was not checked
     */
    public record Result(double loadSeconds, double loadRowsPerSecond, double measuredSeconds, double tps,
            double selectTps, double updateTps, Latency select, Latency update, Map<String, Long> errors,
            String invariant) {

        public boolean invariantHolds() {
            return invariant.equals("ok");
        }
    }

    private final String jdbcUrl;
    private final Options options;
    private final PrintStream progress;
    private final String label;

    public SqlWorkload(String label, String jdbcUrl, Options options, PrintStream progress) {
        this.label = label;
        this.jdbcUrl = jdbcUrl;
        this.options = options;
        this.progress = progress;
    }

    private Connection connect() throws SQLException {
        return connect("");
    }

    private Connection connect(String extra) throws SQLException {
        return DriverManager.getConnection(jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "connectTimeout=30"
                + "&socketTimeout=" + STATEMENT_TIMEOUT.toSeconds() + "&ApplicationName=cacdb-sql-bench" + extra);
    }

    /** Creates and loads the table, then runs the workload; returns the measurements. */
    public Result run() throws Exception {
        long loadStart = System.nanoTime();
        long initialSum = load();
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        progress.printf(Locale.ROOT, "%s: loaded %,d rows in %.1f s (%,.0f rows/s)%n", label, options.rows(),
                loadSeconds, options.rows() / loadSeconds);
        Measured m = drive();
        String invariant = checkSum(initialSum, m.updatesAcknowledged, m.updatesUnknown);
        progress.printf(Locale.ROOT, "%s: %,.0f statements/s (select p50 %.2f ms, update p50 %.2f ms), invariant: %s%n",
                label, m.tps(), Latency.of(m.select).p50Ms(), Latency.of(m.update).p50Ms(), invariant);
        return new Result(round(loadSeconds), Math.round(options.rows() / loadSeconds), round(m.seconds),
                Math.round(m.tps()), Math.round(m.select.getTotalCount() / m.seconds),
                Math.round(m.update.getTotalCount() / m.seconds), Latency.of(m.select), Latency.of(m.update),
                m.errors, invariant);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    // ------------------------------------------------------------------------------------------------ load

    /** Drops and creates the table, loads it from {@link #LOAD_THREADS} connections; returns the initial sum(k). */
    long load() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " (id BIGINT PRIMARY KEY, k BIGINT NOT NULL, c VARCHAR(120) NOT NULL)");
        }
        int threads = (int) Math.min(LOAD_THREADS, Math.max(1, options.rows() / LOAD_BATCH_ROWS));
        AtomicLong loaded = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("load-", 0).factory());
        try {
            List<Future<?>> parts = new ArrayList<>();
            long per = (options.rows() + threads - 1) / threads;
            for (int t = 0; t < threads; t++) {
                long from = 1 + t * per;
                long to = Math.min(options.rows(), (t + 1) * per);
                parts.add(pool.submit(() -> {
                    loadRange(from, to, loaded);
                    return null;
                }));
            }
            long started = System.nanoTime();
            long nextReport = started + LOAD_PROGRESS_EVERY.toNanos();
            for (Future<?> part : parts) {
                while (true) {
                    try {
                        part.get(200, TimeUnit.MILLISECONDS);
                        break;
                    } catch (java.util.concurrent.TimeoutException e) {
                        if (System.nanoTime() >= nextReport) {
                            long n = loaded.get();
                            progress.printf(Locale.ROOT, "%s: loading %,d / %,d rows (%,.0f rows/s)%n", label, n,
                                    options.rows(), n / ((System.nanoTime() - started) / 1e9));
                            nextReport += LOAD_PROGRESS_EVERY.toNanos();
                        }
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // k starts at id % 1000: sum over 1..n of (id % 1000), computed rather than queried so the check is
        // independent of the system under test.
        long sum = 0;
        long fullCycles = options.rows() / 1000;
        sum += fullCycles * (999L * 1000 / 2);
        for (long id = fullCycles * 1000 + 1; id <= options.rows(); id++) {
            sum += id % 1000;
        }
        return sum;
    }

    private void loadRange(long from, long to, AtomicLong loaded) throws SQLException {
        // pgjdbc rewrites each batch into multi-row INSERTs (same for every system): the load measures the
        // insert path, not one protocol round of Bind/Execute per row
        try (Connection c = connect("&" + LOAD_CONNECTION_OPTIONS)) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + TABLE + " (id, k, c) VALUES (?, ?, ?)")) {
                int inBatch = 0;
                for (long id = from; id <= to; id++) {
                    insert.setLong(1, id);
                    insert.setLong(2, id % 1000);
                    insert.setString(3, pad(id));
                    insert.addBatch();
                    if (++inBatch == LOAD_BATCH_ROWS || id == to) {
                        insert.executeBatch();
                        c.commit();
                        loaded.addAndGet(inBatch);
                        inBatch = 0;
                    }
                }
            }
        }
    }

    static String pad(long id) {
        String digits = Long.toString(id * 2654435761L & 0xffffffffL);
        StringBuilder sb = new StringBuilder(PAD_CHARS);
        while (sb.length() < PAD_CHARS) {
            sb.append(digits).append('-');
        }
        sb.setLength(PAD_CHARS);
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------ run

    /** What the measured window saw, summed over connections. */
    private static final class Measured {
        final Histogram select = new Histogram(HISTOGRAM_MAX_MICROS, 3);
        final Histogram update = new Histogram(HISTOGRAM_MAX_MICROS, 3);
        final Map<String, Long> errors = new TreeMap<>();
        long updatesAcknowledged;
        long updatesUnknown;
        double seconds;

        double tps() {
            return (select.getTotalCount() + update.getTotalCount()) / seconds;
        }
    }

    /** One connection's loop and its counts (all updates, warm-up included, count for the sum check). */
    private final class Client implements Runnable {
        final int index;
        final long measureFrom;
        final long measureUntil;
        final CountDownLatch connected;
        final Histogram select = new Histogram(HISTOGRAM_MAX_MICROS, 3);
        final Histogram update = new Histogram(HISTOGRAM_MAX_MICROS, 3);
        final Map<String, Long> errors = new TreeMap<>();
        long updatesAcknowledged;
        long updatesUnknown;
        volatile Throwable failure;

        Client(int index, long measureFrom, long measureUntil, CountDownLatch connected) {
            this.index = index;
            this.measureFrom = measureFrom;
            this.measureUntil = measureUntil;
            this.connected = connected;
        }

        @Override
        public void run() {
            SplittableRandom random = new SplittableRandom(options.seed() + 0x9E3779B97F4A7C15L * (index + 1));
            Connection c = null;
            try {
                c = connect();
                connected.countDown();
                PreparedStatement sel = c.prepareStatement("SELECT k, c FROM " + TABLE + " WHERE id = ?");
                PreparedStatement upd = c.prepareStatement("UPDATE " + TABLE + " SET k = k + 1 WHERE id = ?");
                while (true) {
                    long start = System.nanoTime();
                    if (start >= measureUntil) {
                        break;
                    }
                    long id = 1 + random.nextLong(options.rows());
                    boolean isUpdate = random.nextInt(100) < options.updatePercent();
                    try {
                        if (isUpdate) {
                            upd.setLong(1, id);
                            int n = upd.executeUpdate();
                            if (n != 1) {
                                throw new IllegalStateException("UPDATE of id " + id + " changed " + n + " rows");
                            }
                            updatesAcknowledged++;
                        } else {
                            sel.setLong(1, id);
                            try (ResultSet rs = sel.executeQuery()) {
                                if (!rs.next()) {
                                    throw new IllegalStateException("SELECT of id " + id + " found no row");
                                }
                            }
                        }
                        long micros = (System.nanoTime() - start) / 1_000;
                        if (start >= measureFrom) {
                            (isUpdate ? update : select).recordValue(Math.min(micros, HISTOGRAM_MAX_MICROS));
                        }
                    } catch (SQLException e) {
                        if (start >= measureFrom) {
                            errors.merge(e.getSQLState() == null ? "unknown" : e.getSQLState(), 1L, Long::sum);
                        }
                        if (c.isClosed() || !c.isValid(5)) {
                            if (isUpdate) {
                                updatesUnknown++;
                            }
                            c.close();
                            c = connect();
                            sel = c.prepareStatement("SELECT k, c FROM " + TABLE + " WHERE id = ?");
                            upd = c.prepareStatement("UPDATE " + TABLE + " SET k = k + 1 WHERE id = ?");
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                failure = e;
                connected.countDown();
            } finally {
                if (c != null) {
                    try {
                        c.close();
                    } catch (SQLException e) {
                        errors.merge("close:" + e.getSQLState(), 1L, Long::sum);
                    }
                }
            }
        }
    }

    private Measured drive() throws Exception {
        CountDownLatch connected = new CountDownLatch(options.connections());
        // The warm-up absorbs connection set-up (plus a fixed allowance for it), so it never counts as run time.
        long measureFrom = System.nanoTime() + options.warmup().toNanos() + CONNECT_ALLOWANCE.toNanos();
        long measureUntil = measureFrom + options.duration().toNanos();
        progress.printf(Locale.ROOT, "%s: %d connections, %d%% updates, %d s warm-up + %d s measured%n", label,
                options.connections(), options.updatePercent(), options.warmup().toSeconds(),
                options.duration().toSeconds());
        List<Client> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(options.connections(),
                Thread.ofPlatform().name("client-", 0).factory());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < options.connections(); i++) {
                Client client = new Client(i, measureFrom, measureUntil, connected);
                clients.add(client);
                running.add(pool.submit(client));
            }
            if (!connected.await(CONNECT_ALLOWANCE.toSeconds() + options.warmup().toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException(label + ": " + connected.getCount() + " clients could not connect "
                        + "before the measurement began");
            }
            long bound = measureUntil - System.nanoTime() + STATEMENT_TIMEOUT.toNanos();
            for (Future<?> f : running) {
                f.get(Math.max(1, bound), TimeUnit.NANOSECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Measured m = new Measured();
        for (Client c : clients) {
            if (c.failure != null) {
                throw new IllegalStateException(label + ": client " + c.index + " failed: " + c.failure, c.failure);
            }
            m.select.add(c.select);
            m.update.add(c.update);
            c.errors.forEach((k, v) -> m.errors.merge(k, v, Long::sum));
            m.updatesAcknowledged += c.updatesAcknowledged;
            m.updatesUnknown += c.updatesUnknown;
        }
        m.seconds = (measureUntil - measureFrom) / 1e9;
        return m;
    }

    /** sum(k) must have grown by the acknowledged updates (plus at most those of unknown outcome). */
    String checkSum(long initialSum, long acknowledged, long unknown) {
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT sum(k) FROM " + TABLE)) {
            if (!rs.next()) {
                return "not checked: SELECT sum(k) returned no row";
            }
            long sum = rs.getLong(1);
            long grown = sum - initialSum;
            if (grown >= acknowledged && grown <= acknowledged + unknown) {
                return "ok";
            }
            return "FAILED: sum(k) grew by " + grown + " but " + acknowledged + " updates were acknowledged ("
                    + unknown + " of unknown outcome)";
        } catch (SQLException e) {
            return "not checked: SELECT sum(k) failed: " + e.getSQLState() + " " + e.getMessage();
        }
    }
}
