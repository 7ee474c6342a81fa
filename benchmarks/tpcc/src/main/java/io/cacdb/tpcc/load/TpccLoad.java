package io.cacdb.tpcc.load;

import io.cacdb.tpcc.check.ConsistencyCheck;
import io.cacdb.tpcc.check.ConsistencyReport;
import io.cacdb.tpcc.connect.ConnectionSettings;
import io.cacdb.tpcc.random.NURandConstants;
import io.cacdb.tpcc.random.TpccRandom;
import io.cacdb.tpcc.schema.TpccSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Creates the TPC-C schema and loads the initial population of spec §4.3.3.1 in parallel.
 *
 * <p>Steps: drop the tables (if asked), create them with their primary keys, run the {@link Population} tasks on
 * {@code loaderThreads} threads (one connection each, batched prepared inserts, a commit per batch), create the
 * secondary indexes, record the load in {@code tpcc_load_info} (the run needs C_LAST's load constant), try
 * {@code ANALYZE}, and check consistency conditions on the fresh database (spec §3.3.3 asks for 1–4 before a run).
 * Progress goes to the given line sink every {@code progressInterval}: rows/s and percent per table.
 */
public final class TpccLoad {

    /** Rows per committed batch: big enough for multi-row VALUES to pay, small enough to keep transactions short. */
    public static final int DEFAULT_BATCH_ROWS = 1_000;
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(5);

    /**
     * @param connection       where to load (the URL may name several hosts; bulk timeouts apply)
     * @param warehouses       W, at least 1
     * @param loaderThreads    parallel connections loading tasks
     * @param batchRows        rows per committed batch
     * @param seed             the load's random seed (same seed and C, same data)
     * @param dropExisting     drop the nine tables (and tpcc_load_info) first
     * @param progressInterval how often to print progress; {@link Duration#ZERO} for never
     * @param checkAfterLoad   run the consistency conditions on the loaded database
     */
    public record Options(ConnectionSettings connection, int warehouses, int loaderThreads, int batchRows, long seed,
            boolean dropExisting, Duration progressInterval, boolean checkAfterLoad) {
        public Options {
            Objects.requireNonNull(connection, "connection");
            if (warehouses < 1 || warehouses > TpccSchema.WAREHOUSES_MAX) {
                throw new IllegalArgumentException("warehouses must be in 1.." + TpccSchema.WAREHOUSES_MAX
                        + ", was " + warehouses);
            }
            if (loaderThreads < 1) {
                throw new IllegalArgumentException("loader threads must be >= 1, was " + loaderThreads);
            }
            if (batchRows < 1) {
                throw new IllegalArgumentException("batch rows must be >= 1, was " + batchRows);
            }
            if (progressInterval.isNegative()) {
                throw new IllegalArgumentException("negative progress interval " + progressInterval);
            }
        }

        /** Defaults: one thread per core (at least 2), batches of 1,000 rows, drop first, progress every 5 s. */
        public static Options of(String url, int warehouses) {
            return new Options(ConnectionSettings.forBulk(url), warehouses,
                    Math.max(2, Runtime.getRuntime().availableProcessors()), DEFAULT_BATCH_ROWS,
                    System.nanoTime(), true, DEFAULT_PROGRESS_INTERVAL, true);
        }

        public Options withLoaderThreads(int n) {
            return new Options(connection, warehouses, n, batchRows, seed, dropExisting, progressInterval,
                    checkAfterLoad);
        }

        public Options withSeed(long s) {
            return new Options(connection, warehouses, loaderThreads, batchRows, s, dropExisting, progressInterval,
                    checkAfterLoad);
        }

        public Options withProgressInterval(Duration d) {
            return new Options(connection, warehouses, loaderThreads, batchRows, seed, dropExisting, d,
                    checkAfterLoad);
        }
    }

    /**
     * What was loaded.
     *
     * @param rows        committed rows per table
     * @param elapsed     wall time of the whole load, DDL and checks included
     * @param cLastLoad   the C_LAST load constant (also in tpcc_load_info)
     * @param consistency the post-load check, or null if not run
     */
    public record Result(Options options, Map<LoadTable, Long> rows, Duration elapsed, int cLastLoad,
            ConsistencyReport consistency) {
        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private TpccLoad() {
    }

    /** Loads; throws if any task fails (the other threads stop at their next task). */
    public static Result run(Options options, Consumer<String> log) throws SQLException, InterruptedException {
        long start = System.nanoTime();
        TpccRandom random = new TpccRandom(options.seed());
        int cLastLoad = NURandConstants.drawLoadCLast(random);
        Timestamp loadTime = Timestamp.from(Instant.now());
        Population population = new Population(random.nextSeed(), cLastLoad, loadTime);
        log.accept(String.format("load: %d warehouse(s), %d loader thread(s), batches of %d rows, seed %d, "
                        + "C_LAST load constant %d, into %s", options.warehouses(), options.loaderThreads(),
                options.batchRows(), options.seed(), cLastLoad, options.connection().redactedUrl()));

        try (Connection c = options.connection().open(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            if (options.dropExisting()) {
                for (String sql : TpccSchema.dropStatements()) {
                    st.execute(sql);
                }
            }
            for (String sql : TpccSchema.createTableStatements()) {
                st.execute(sql);
            }
        }

        LoadProgress progress = new LoadProgress(options.warehouses());
        loadRows(options, population, progress, log);

        try (Connection c = options.connection().open(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            long t = System.nanoTime();
            for (String sql : TpccSchema.createIndexStatements()) {
                st.execute(sql);
            }
            log.accept(String.format("load: secondary indexes created in %.1f s", (System.nanoTime() - t) / 1e9));
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TpccSchema.LOAD_INFO
                    + " (warehouses, c_last_load, seed, loaded_at) VALUES (?, ?, ?, ?)")) {
                ps.setInt(1, options.warehouses());
                ps.setInt(2, cLastLoad);
                ps.setLong(3, options.seed());
                ps.setTimestamp(4, loadTime);
                ps.executeUpdate();
            }
            analyze(st, log);
            ConsistencyReport consistency = null;
            if (options.checkAfterLoad()) {
                consistency = ConsistencyCheck.check(c, options.warehouses());
                log.accept("load: consistency " + (consistency.ok() ? "OK" : "VIOLATED") + "\n"
                        + consistency.describe().stripTrailing());
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            log.accept(String.format("load: done, %,d rows in %.1f s", progress.totalRows(),
                    elapsed.toMillis() / 1000.0));
            return new Result(options, progress.snapshot(), elapsed, cLastLoad, consistency);
        }
    }

    /** Planner statistics help PostgreSQL pick index plans at once; a server without ANALYZE just plans without. */
    private static void analyze(Statement st, Consumer<String> log) {
        try {
            st.execute("ANALYZE");
        } catch (SQLException e) {
            log.accept("load: ANALYZE not accepted by the server (" + e.getMessage() + "); continuing without it");
        }
    }

    private static void loadRows(Options options, Population population, LoadProgress progress,
            Consumer<String> log) throws SQLException, InterruptedException {
        List<Population.Task> tasks = Population.tasks(options.warehouses());
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Exception> failure = new AtomicReference<>();
        int threads = Math.min(options.loaderThreads(), tasks.size());
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try (Connection c = options.connection().open();
                     JdbcRowSink sink = new JdbcRowSink(c, options.batchRows(), progress)) {
                    int k;
                    while (failure.get() == null && (k = next.getAndIncrement()) < tasks.size()) {
                        Population.Task task = tasks.get(k);
                        try {
                            population.generate(task, sink);
                            sink.flush();
                        } catch (Exception e) {
                            throw new SQLException("loading " + task.describe() + " failed: " + e.getMessage(), e);
                        }
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }, "tpcc-loader-" + i);
            workers.add(t);
            t.start();
        }
        long start = System.nanoTime();
        long lastRows = 0;
        long lastNanos = start;
        long intervalNanos = options.progressInterval().toNanos();
        while (!done.await(intervalNanos > 0 ? intervalNanos : TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS)) {
            if (intervalNanos > 0) {
                long now = System.nanoTime();
                long rows = progress.totalRows();
                log.accept(String.format("load: %5.0f s %,12d rows %,9.0f rows/s  %s", (now - start) / 1e9, rows,
                        (rows - lastRows) / ((now - lastNanos) / 1e9), progress.percentages()));
                lastRows = rows;
                lastNanos = now;
            }
        }
        for (Thread t : workers) {
            t.join();
        }
        Exception e = failure.get();
        if (e != null) {
            throw e instanceof SQLException s ? s : new SQLException("load failed: " + e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        log.accept(String.format("load: %,d rows in %.1f s (%,.0f rows/s)  %s", progress.totalRows(), seconds,
                progress.totalRows() / seconds, progress.percentages()));
    }
}
