package io.cacdb.engine.bench;

import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.dax.transport.NetworkConditions;
import io.cacdb.engine.Database;
import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.Engine;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.error.CallerAction;
import io.cacdb.engine.error.EngineException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.space.PageAllocator;
import io.cacdb.engine.table.RowCursor;
import io.cacdb.engine.table.ScanSpec;
import io.cacdb.engine.table.TableSpec;
import io.cacdb.engine.volume.DaxVolume;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code ./cacdb engine-bench}: the transactional engine on a DAX cluster, through the embedded API the SQL layer
 * uses ({@link Database}), with one table of {@code rows} rows {@code (id bigint primary key, counter bigint, filler
 * varchar)}.
 *
 * <p>Load (not measured): parallel loaders insert the rows in ascending id batches of {@link #LOAD_BATCH_ROWS}, one
 * READ COMMITTED transaction per batch (no next-key locks, so loaders of adjacent batches do not wait for each
 * other). Then the measured phases, each after its own warm-up:
 * <ol>
 *   <li><b>updates</b>: each thread loops {@code begin → update one uniformly random row by primary key (counter + 1)
 *       → commit}, SERIALIZABLE; the latency is the whole transaction, begin to durable commit;</li>
 *   <li><b>hot reads</b>: each thread loops read-only transactions of one point read by primary key, uniformly over
 *       the first {@code hotRows} rows, which fit the buffer pool (the warm-up loads them);</li>
 *   <li><b>table reads</b>: the same over the whole table; labelled cached or not by whether the volume fits the
 *       pool, and the measured hit ratio says how cold they were.</li>
 * </ol>
 * Between the load and the updates, and between the updates and the reads, every dirty page is written back and a
 * checkpoint taken (not measured), so a phase does not pay for the previous one's write-back.
 * Then the check: the sum of the counter column equals the number of updates committed (warm-ups included), and the
 * table still has {@code rows} rows. A benchmark that lost updates would measure nothing, so a failed check fails the
 * run.
 *
 * <p>Buffer hit ratio, log bytes and CPU are the differences of the pool's and log writer's counters and of the
 * process CPU time over each measured phase. Per-core rates divide by the machine's cores; per-CPU-second rates by
 * the CPU time this process used, which on a shared machine is the fairer cost (it includes the in-process DAX
 * servers and the engine's background threads).
 */
public final class EngineBench {

    /** The benchmark's table. */
    public static final String TABLE = "engine_bench";
    /** Column positions in {@link #TABLE}. */
    static final int ID_COLUMN = 0;
    static final int COUNTER_COLUMN = 1;
    /** Characters of the filler column: rows of ~60 bytes, a small OLTP row, ~100 to a page. */
    static final int FILLER_CHARS = 40;
    /** Volume of a local run; on a running cluster the caller picks a fresh one ({@code --volume}). */
    public static final long DEFAULT_VOLUME = 4_343;
    /** Epoch the benchmark's engine writes at: the first, on a fresh volume. */
    static final long BENCH_EPOCH = 1;
    /** Rows per load transaction: large enough that commit waits are rare, small enough to bound the lock table. */
    static final int LOAD_BATCH_ROWS = 1_000;
    /** Loader threads at most: beyond a few, loaders only contend for the log and the cores. */
    static final int LOAD_THREADS_MAX = 4;
    /**
     * Longest a latency is recorded as, in nanoseconds (cached reads take about a microsecond, so microseconds would
     * be too coarse): an operation over a minute is an error anyway.
     */
    static final long MAX_RECORDED_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Attempts of one transaction that failed with a retryable error (lock timeout, full log) before giving up. */
    static final int ATTEMPTS_MAX = 10;
    /** Bound on writing back every dirty page between phases: a full 1 GiB pool at a few hundred pages/s. */
    static final Duration SETTLE_WAIT_MAX = Duration.ofMinutes(10);
    /** Bound on the wait for storage steps at start (create volume, fence). */
    static final Duration STORAGE_WAIT_MAX = Duration.ofSeconds(60);

    /**
     * What to run. {@code clusterFile} null means start a local 9-server, 3-zone cluster in {@code localMode}.
     *
     * @param hotRows rows the hot read phase reads (ids {@code 0..hotRows-1}); must fit the pool to measure cached
     *                reads
     */
    public record Options(Path clusterFile, LocalDaxCluster.Mode localMode, long volume, Duration phase,
            Duration warmup, int threads, long rows, long hotRows, int bufferPoolMb, Duration zoneDelay,
            String clientZone) {
        public Options {
            Objects.requireNonNull(localMode, "localMode");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(warmup, "warmup");
            Objects.requireNonNull(zoneDelay, "zoneDelay");
            Objects.requireNonNull(clientZone, "clientZone");
            if (threads < 1 || threads > 4096) {
                throw new IllegalArgumentException("threads must be in 1..4096, was " + threads);
            }
            if (rows < 1) {
                throw new IllegalArgumentException("rows must be >= 1, was " + rows);
            }
            if (hotRows < 1 || hotRows > rows) {
                throw new IllegalArgumentException("hot rows must be in 1..rows (" + rows + "), was " + hotRows);
            }
            if (bufferPoolMb < 1) {
                throw new IllegalArgumentException("buffer pool must be >= 1 MiB, was " + bufferPoolMb);
            }
            if (phase.isNegative() || phase.isZero()) {
                throw new IllegalArgumentException("phase duration must be positive, was " + phase);
            }
            if (warmup.isNegative()) {
                throw new IllegalArgumentException("warm-up must be >= 0, was " + warmup);
            }
            if (zoneDelay.isNegative()) {
                throw new IllegalArgumentException("zone delay must be >= 0, was " + zoneDelay);
            }
        }

        public int bufferPoolFrames() {
            return (int) Math.min(Integer.MAX_VALUE, ((long) bufferPoolMb << 20) / PageFormat.PAGE_SIZE_BYTES);
        }
    }

    /**
     * One measured phase. Latencies in milliseconds; {@code aborts} are failed attempts (each rolled back),
     * {@code retries} the attempts made again after one; {@code logBytes} the log appended during the phase.
     */
    public record PhaseResult(String name, long operations, long aborts, long retries, double seconds,
            double p50Millis, double p99Millis, double maxMillis, long poolHits, long poolMisses, double cpuSeconds,
            long logBytes, long logBlockWrites) {

        public double opsPerSecond() {
            return seconds == 0 ? 0 : operations / seconds;
        }

        public double hitRatio() {
            long fixes = poolHits + poolMisses;
            return fixes == 0 ? 1.0 : (double) poolHits / fixes;
        }

        public double opsPerCpuSecond() {
            return cpuSeconds == 0 ? 0 : operations / cpuSeconds;
        }
    }

    /** The load: rows, how long, and the volume's size after it. */
    public record LoadResult(long rows, double seconds, long volumePages) {
        public double rowsPerSecond() {
            return seconds == 0 ? 0 : rows / seconds;
        }
    }

    /** The whole run; {@link #toJson()} is the {@code --json} output. */
    public record Result(Options options, int cores, double loadAverageAtStart, int servers, int replicas,
            int writeQuorum, int readQuorum, LoadResult load, PhaseResult updates, PhaseResult hotReads,
            PhaseResult tableReads, long committedUpdates, long counterSum, long rowsCounted) {

        public boolean checkPassed() {
            return counterSum == committedUpdates && rowsCounted == options.rows();
        }

        public boolean tableFitsPool() {
            return load.volumePages() <= options.bufferPoolFrames();
        }

        public String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("commits_per_s", round(updates.opsPerSecond()));
            m.put("commit_p50_ms", round3(updates.p50Millis()));
            m.put("commit_p99_ms", round3(updates.p99Millis()));
            m.put("commit_max_ms", round3(updates.maxMillis()));
            m.put("commits", updates.operations());
            m.put("commit_aborts", updates.aborts());
            m.put("commit_retries", updates.retries());
            m.put("log_bytes_per_commit", round(perOp(updates.logBytes(), updates)));
            m.put("commits_per_log_write", round(updates.logBlockWrites() == 0 ? 0
                    : (double) updates.operations() / updates.logBlockWrites()));
            m.put("update_buffer_hit_ratio", round4(updates.hitRatio()));
            m.put("commits_per_cpu_s", round(updates.opsPerCpuSecond()));
            m.put("point_reads_per_s", round(hotReads.opsPerSecond()));
            m.put("point_reads_per_s_per_core", round(hotReads.opsPerSecond() / cores));
            m.put("point_reads_per_cpu_s", round(hotReads.opsPerCpuSecond()));
            m.put("point_read_p50_us", round(hotReads.p50Millis() * 1000));
            m.put("point_read_p99_us", round(hotReads.p99Millis() * 1000));
            m.put("buffer_hit_ratio", round4(hotReads.hitRatio()));
            m.put("hot_rows", options.hotRows());
            m.put("table_point_reads_per_s", round(tableReads.opsPerSecond()));
            m.put("table_point_reads_per_s_per_core", round(tableReads.opsPerSecond() / cores));
            m.put("table_point_reads_per_cpu_s", round(tableReads.opsPerCpuSecond()));
            m.put("table_point_read_p50_us", round(tableReads.p50Millis() * 1000));
            m.put("table_point_read_p99_us", round(tableReads.p99Millis() * 1000));
            m.put("table_buffer_hit_ratio", round4(tableReads.hitRatio()));
            m.put("table_reads_label", tableFitsPool() ? "cached (table fits the pool)"
                    : "cold-ish (table larger than the pool)");
            m.put("load_rows_per_s", round(load.rowsPerSecond()));
            m.put("load_seconds", round(load.seconds()));
            m.put("volume_pages", load.volumePages());
            m.put("check_committed_updates", committedUpdates);
            m.put("check_counter_sum", counterSum);
            m.put("check_rows", rowsCounted);
            m.put("check_passed", checkPassed());
            m.put("threads", options.threads());
            m.put("rows", options.rows());
            m.put("seconds", options.phase().toSeconds());
            m.put("warmup_seconds", options.warmup().toSeconds());
            m.put("cores", cores);
            m.put("load_average_at_start", round(loadAverageAtStart));
            m.put("buffer_pool_mb", options.bufferPoolMb());
            m.put("buffer_pool_frames", options.bufferPoolFrames());
            m.put("zone_delay_ms", options.zoneDelay().toMillis());
            m.put("client_zone", options.clientZone());
            m.put("update_isolation", "serializable");
            m.put("read_isolation", "serializable, read-only, one point read per transaction");
            m.put("servers", servers);
            m.put("replicas", replicas);
            m.put("write_quorum", writeQuorum);
            m.put("read_quorum", readQuorum);
            m.put("cluster", options.clusterFile() == null ? "local-" + options.localMode().name().toLowerCase()
                    : options.clusterFile().toString());
            m.put("volume", options.volume());
            StringBuilder sb = new StringBuilder("{\n");
            int i = 0;
            for (Map.Entry<String, Object> e : m.entrySet()) {
                sb.append("  \"").append(e.getKey()).append("\": ");
                Object v = e.getValue();
                sb.append(v instanceof String s ? "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : v);
                sb.append(++i < m.size() ? ",\n" : "\n");
            }
            return sb.append("}\n").toString();
        }

        private static double perOp(long total, PhaseResult p) {
            return p.operations() == 0 ? 0 : (double) total / p.operations();
        }

        private static double round(double v) {
            return Math.round(v * 100.0) / 100.0;
        }

        private static double round3(double v) {
            return Math.round(v * 1000.0) / 1000.0;
        }

        private static double round4(double v) {
            return Math.round(v * 10000.0) / 10000.0;
        }
    }

    /** The benchmark could not run to the end (a non-retryable engine error, a lost row). */
    public static final class BenchFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BenchFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private EngineBench() {
    }

    public static Result run(Options options, PrintStream out) throws IOException, InterruptedException {
        double loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        int cores = Runtime.getRuntime().availableProcessors();
        LocalDaxCluster local = null;
        try {
            ClusterMap map;
            if (options.clusterFile() == null) {
                out.printf("engine-bench: starting a local 9-server, 3-zone DAX cluster (%s)%n",
                        options.localMode().name().toLowerCase());
                local = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(options.localMode()));
                map = local.clusterMap();
                out.printf("engine-bench: cluster up in %s%n", local.baseDir());
            } else {
                map = ClusterMapFile.read(options.clusterFile());
            }
            NetworkConditions network = new NetworkConditions(options.zoneDelay());
            try (DaxClient client = DaxClient.create(map, DaxClientConfig.defaults(options.clientZone()),
                    new SimpleMeterRegistry(), network)) {
                createVolumeWhenServersAnswer(client, options.volume(), out);
                client.fence(options.volume(), BENCH_EPOCH).get(STORAGE_WAIT_MAX.toSeconds(), TimeUnit.SECONDS);
                out.printf("engine-bench: %d servers, N=%d W=%d R=%d, zone delay %d ms; volume %d; %d cores, load "
                                + "average %.2f%n", map.servers().size(), map.quorum().replicas(),
                        map.quorum().writeQuorum(), map.quorum().readQuorum(), options.zoneDelay().toMillis(),
                        options.volume(), cores, loadAverage);
                out.printf("engine-bench: %d rows, %d threads, %d s phases (+%d s warm-up each), buffer pool %d MiB"
                                + " (%d frames), hot set %d rows%n", options.rows(), options.threads(),
                        options.phase().toSeconds(), options.warmup().toSeconds(), options.bufferPoolMb(),
                        options.bufferPoolFrames(), options.hotRows());
                MeterRegistry registry = new SimpleMeterRegistry();
                EngineConfig config = EngineConfig.defaults().withBufferPoolFrames(options.bufferPoolFrames());
                try (Database db = Database.open(DaxVolume.writer(client, options.volume(), BENCH_EPOCH), config,
                        registry)) {
                    Result result = runOn(db, options, cores, loadAverage, map, out);
                    printSummary(result, out);
                    return result;
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IOException("preparing volume " + options.volume() + " on the DAX cluster failed", e);
            }
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    /** Creates the volume, retrying while servers are still too cold to answer (child JVMs on a loaded machine). */
    private static void createVolumeWhenServersAnswer(DaxClient client, long volume, PrintStream out)
            throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException,
            InterruptedException {
        long deadline = System.nanoTime() + STORAGE_WAIT_MAX.toNanos();
        while (true) {
            try {
                client.createVolume(volume).get(STORAGE_WAIT_MAX.toSeconds(), TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                out.println("engine-bench: servers not answering yet (" + e.getCause().getMessage() + "); retrying");
            }
        }
    }

    private static Result runOn(Database db, Options options, int cores, double loadAverage, ClusterMap map,
            PrintStream out) throws InterruptedException {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(TableSpec.of(TABLE, List.of(ColumnDef.notNull("id", ColumnType.bigint()),
                    ColumnDef.notNull("counter", ColumnType.bigint()),
                    ColumnDef.notNull("filler", ColumnType.varchar(FILLER_CHARS))), "id"));
            t.commit();
        }
        Engine engine = db.engine();
        LoadResult load = load(db, engine, options, out);
        settle(engine, out);
        AtomicLong committedUpdates = new AtomicLong();
        int threads = options.threads();

        Workload updates = new UpdateWorkload(db, options.rows(), committedUpdates);
        if (!options.warmup().isZero()) {
            runPhase("update warm-up", updates, threads, options.warmup(), engine, out);
        }
        PhaseResult updateResult = runPhase("updates", updates, threads, options.phase(), engine, out);
        settle(engine, out);

        Workload hot = new ReadWorkload(db, options.hotRows());
        warmHotSet(db, options.hotRows(), out);
        if (!options.warmup().isZero()) {
            runPhase("hot read warm-up", hot, threads, options.warmup(), engine, out);
        }
        PhaseResult hotResult = runPhase("hot reads", hot, threads, options.phase(), engine, out);

        Workload table = new ReadWorkload(db, options.rows());
        if (!options.warmup().isZero()) {
            runPhase("table read warm-up", table, threads, options.warmup(), engine, out);
        }
        PhaseResult tableResult = runPhase("table reads", table, threads, options.phase(), engine, out);

        out.println("engine-bench: check: summing the counter column over the whole table");
        long[] sumAndRows = sumCounters(db);
        return new Result(options, cores, loadAverage, map.servers().size(), map.quorum().replicas(),
                map.quorum().writeQuorum(), map.quorum().readQuorum(), load, updateResult, hotResult, tableResult,
                committedUpdates.get(), sumAndRows[0], sumAndRows[1]);
    }

    // ------------------------------------------------------------------------------------------------ load

    private static Row newRow(long id) {
        StringBuilder filler = new StringBuilder(FILLER_CHARS);
        String digits = Long.toString(id);
        while (filler.length() < FILLER_CHARS) {
            filler.append(digits).append('-');
        }
        filler.setLength(FILLER_CHARS);
        return Row.of(id, 0L, filler.toString());
    }

    private static LoadResult load(Database db, Engine engine, Options options, PrintStream out)
            throws InterruptedException {
        long rows = options.rows();
        long batches = (rows + LOAD_BATCH_ROWS - 1) / LOAD_BATCH_ROWS;
        int loaders = (int) Math.min(batches, Math.min(LOAD_THREADS_MAX, options.threads()));
        out.printf("engine-bench: load: %d rows in %d-row transactions by %d loaders (not measured)%n", rows,
                LOAD_BATCH_ROWS, loaders);
        AtomicLong nextBatch = new AtomicLong();
        AtomicLong loaded = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(loaders);
        long start = System.nanoTime();
        for (int l = 0; l < loaders; l++) {
            Thread.ofPlatform().name("engine-bench-loader-" + l).daemon(true).start(() -> {
                try {
                    long b;
                    while (failure.get() == null && (b = nextBatch.getAndIncrement()) < batches) {
                        long first = b * LOAD_BATCH_ROWS;
                        long end = Math.min(rows, first + LOAD_BATCH_ROWS);
                        inTransaction(db, IsolationLevel.READ_COMMITTED, false, t -> {
                            for (long id = first; id < end; id++) {
                                t.insert(TABLE, newRow(id));
                            }
                        }, null);
                        loaded.addAndGet(end - first);
                    }
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            });
        }
        long last = 0;
        long lastNanos = start;
        while (!done.await(1, TimeUnit.SECONDS)) {
            long now = System.nanoTime();
            long n = loaded.get();
            out.printf("engine-bench: load    %5.1f%%  %9d rows  %8.0f rows/s%n", 100.0 * n / rows, n,
                    (n - last) / ((now - lastNanos) / 1e9));
            last = n;
            lastNanos = now;
        }
        if (failure.get() != null) {
            throw new BenchFailedException("the load failed", failure.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long pages = PageAllocator.nextUnused(engine.pageSource());
        out.printf("engine-bench: load done: %d rows in %.1f s (%.0f rows/s); volume %d pages (%d MiB), pool %d"
                        + " frames%n", rows, seconds, rows / seconds, pages,
                pages * PageFormat.PAGE_SIZE_BYTES >> 20, options.bufferPoolFrames());
        return new LoadResult(rows, seconds, pages);
    }

    /**
     * Writes back every dirty page and checkpoints, between the load and the phases and between the update and the
     * read phases, so that no phase pays for the previous one's write-back (a phase's own background work, such as
     * the updates' flushing, stays in it).
     */
    private static void settle(Engine engine, PrintStream out) {
        long start = System.nanoTime();
        int dirty = engine.bufferPool().dirtyPageCount();
        engine.bufferPool().flushAll(SETTLE_WAIT_MAX);
        engine.checkpointer().checkpoint();
        out.printf("engine-bench: settle: %d dirty pages written back and a checkpoint taken in %.1f s (not measured)%n",
                dirty, (System.nanoTime() - start) / 1e9);
    }

    /** Brings the hot set into the pool with one ordered scan, so the hot phase starts warm. */
    private static void warmHotSet(Database db, long hotRows, PrintStream out) {
        long start = System.nanoTime();
        long[] seen = {0};
        inTransaction(db, IsolationLevel.READ_COMMITTED, true, t -> {
            try (RowCursor c = t.scan(TABLE, ScanSpec.primary())) {
                while (seen[0] < hotRows && c.next()) {
                    seen[0]++;
                }
            }
        }, null);
        out.printf("engine-bench: hot set: %d rows scanned into the pool in %.1f s%n", seen[0],
                (System.nanoTime() - start) / 1e9);
    }

    /** {@code [sum of counter, rows]} over the whole table, in one read-only transaction. */
    private static long[] sumCounters(Database db) {
        long[] sumAndRows = {0, 0};
        inTransaction(db, IsolationLevel.READ_COMMITTED, true, t -> {
            sumAndRows[0] = 0;
            sumAndRows[1] = 0;
            try (RowCursor c = t.scan(TABLE, ScanSpec.primary())) {
                while (c.next()) {
                    sumAndRows[0] += (Long) c.row().get(COUNTER_COLUMN);
                    sumAndRows[1]++;
                }
            }
        }, null);
        return sumAndRows;
    }

    // ------------------------------------------------------------------------------------------------ phases

    /** Counts of one worker's failed attempts. */
    private static final class Attempts {
        final LongAdder aborts = new LongAdder();
        final LongAdder retries = new LongAdder();
    }

    private interface TxnBody {
        void run(DatabaseTransaction t);
    }

    /**
     * Runs {@code body} in a transaction and commits, again after a retryable failure (rolled back), at most
     * {@link #ATTEMPTS_MAX} times. A non-retryable failure, or a commit that failed with an unknown outcome, is
     * thrown.
     */
    private static void inTransaction(Database db, IsolationLevel isolation, boolean readOnly, TxnBody body,
            Attempts attempts) {
        for (int attempt = 1; ; attempt++) {
            DatabaseTransaction t = db.begin(isolation, readOnly);
            try {
                body.run(t);
                t.commit();
                return;
            } catch (EngineException e) {
                try {
                    t.close();
                } catch (RuntimeException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                if (attempts != null) {
                    attempts.aborts.increment();
                }
                boolean retryable = e.action() == CallerAction.RETRY_TRANSACTION
                        || e.action() == CallerAction.RETRY_LATER;
                if (!retryable || attempt >= ATTEMPTS_MAX) {
                    throw e;
                }
                if (attempts != null) {
                    attempts.retries.increment();
                }
            } catch (RuntimeException | Error e) {
                try {
                    t.close();
                } catch (RuntimeException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
        }
    }

    /** One kind of operation the phase threads loop on; thread-safe. */
    private interface Workload {
        void operate(SplittableRandom random, Attempts attempts);

        /** Whether progress shows latencies in microseconds (cached reads) rather than milliseconds. */
        default boolean microsecondLatencies() {
            return false;
        }
    }

    /** Single-row update transactions: counter + 1 on a uniformly random row. */
    private static final class UpdateWorkload implements Workload {
        private static final UnaryOperator<Row> INCREMENT =
                r -> r.with(COUNTER_COLUMN, (Long) r.get(COUNTER_COLUMN) + 1);
        final Database db;
        final long rows;
        final AtomicLong committed;

        UpdateWorkload(Database db, long rows, AtomicLong committed) {
            this.db = db;
            this.rows = rows;
            this.committed = committed;
        }

        @Override
        public void operate(SplittableRandom random, Attempts attempts) {
            long id = random.nextLong(rows);
            inTransaction(db, IsolationLevel.SERIALIZABLE, false, t -> t.update(TABLE, t.key(TABLE, id), INCREMENT),
                    attempts);
            committed.incrementAndGet();
        }
    }

    /** Read-only transactions of one point read by primary key, uniformly over ids {@code 0..rows-1}. */
    private static final class ReadWorkload implements Workload {
        final Database db;
        final long rows;

        ReadWorkload(Database db, long rows) {
            this.db = db;
            this.rows = rows;
        }

        @Override
        public boolean microsecondLatencies() {
            return true;
        }

        @Override
        public void operate(SplittableRandom random, Attempts attempts) {
            long id = random.nextLong(rows);
            inTransaction(db, IsolationLevel.SERIALIZABLE, true, t -> {
                Optional<Row> row = t.get(TABLE, t.key(TABLE, id));
                if (row.isEmpty() || (Long) row.get().get(ID_COLUMN) != id) {
                    throw new IllegalStateException("point read of id " + id + " returned " + row);
                }
            }, attempts);
        }
    }

    private static PhaseResult runPhase(String name, Workload workload, int threads, Duration duration,
            Engine engine, PrintStream out) throws InterruptedException {
        Recorder recorder = new Recorder(MAX_RECORDED_LATENCY_NANOS, 3);
        Attempts attempts = new Attempts();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        for (int c = 0; c < threads; c++) {
            int threadNo = c;
            Thread.ofPlatform().name("engine-bench-" + name.replace(' ', '-') + "-" + c).daemon(true).start(() -> {
                SplittableRandom random = new SplittableRandom(threadNo * 7919L + name.hashCode());
                try {
                    started.countDown();
                    go.await();
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        workload.operate(random, attempts);
                        recorder.recordValue(Math.min(MAX_RECORDED_LATENCY_NANOS, System.nanoTime() - start));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | Error e) {
                    firstError.compareAndSet(null, e);
                    stop.set(true);
                } finally {
                    done.countDown();
                }
            });
        }
        started.await();
        Counters before = Counters.of(engine);
        Histogram total = new Histogram(MAX_RECORDED_LATENCY_NANOS, 3);
        Histogram interval = null;
        recorder.reset();
        long startNanos = System.nanoTime();
        go.countDown();
        long endNanos = startNanos + duration.toNanos();
        int second = 0;
        while (System.nanoTime() < endNanos && !stop.get()) {
            long nextTick = Math.min(endNanos, startNanos + TimeUnit.SECONDS.toNanos(++second));
            long waitNanos = nextTick - System.nanoTime();
            if (waitNanos > 0 && done.await(waitNanos, TimeUnit.NANOSECONDS)) {
                break; // every thread stopped on its own (an error): nothing more to measure
            }
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            double unit = workload.microsecondLatencies() ? 1e3 : 1e6;
            String unitName = workload.microsecondLatencies() ? "µs" : "ms";
            out.printf("engine-bench: %-18s t=%3ds %9d txn/s  p50 %8.3f %s  p99 %8.3f %s  aborts %d%n", name,
                    second, interval.getTotalCount(), interval.getValueAtPercentile(50) / unit, unitName,
                    interval.getValueAtPercentile(99) / unit, unitName, attempts.aborts.sum());
        }
        stop.set(true);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Counters after = Counters.of(engine);
        if (!done.await(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("benchmark threads of phase " + name + " did not stop within a minute");
        }
        if (firstError.get() != null) {
            throw new BenchFailedException("phase " + name + " failed", firstError.get());
        }
        // The operations in flight when the clock stopped (at most one per thread) are counted: their log was
        // appended before the counters were read.
        total.add(recorder.getIntervalHistogram(interval));
        long operations = total.getTotalCount();
        return new PhaseResult(name, operations, attempts.aborts.sum(), attempts.retries.sum(), seconds,
                total.getValueAtPercentile(50) / 1e6, total.getValueAtPercentile(99) / 1e6,
                total.getMaxValue() / 1e6, after.hits - before.hits, after.misses - before.misses,
                after.cpuSeconds - before.cpuSeconds, after.logLsn - before.logLsn,
                after.logWrites - before.logWrites);
    }

    /** Counters read at the start and end of a phase. */
    private record Counters(long hits, long misses, double cpuSeconds, long logLsn, long logWrites) {
        static Counters of(Engine engine) {
            Counter writes = engine.metrics().find("cacdb.wal.block.writes").counter();
            return new Counters(engine.bufferPool().hits(), engine.bufferPool().misses(), processCpuSeconds(),
                    engine.logWriter().appendedLsn(), writes == null ? 0 : (long) writes.count());
        }
    }

    private static double processCpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return 0;
    }

    private static void printSummary(Result r, PrintStream out) {
        PhaseResult u = r.updates();
        PhaseResult h = r.hotReads();
        PhaseResult t = r.tableReads();
        out.println("engine-bench: summary");
        out.printf("  updates      %9.0f commits/s   p50 %7.3f ms   p99 %7.3f ms   max %8.3f ms   aborts %d"
                        + " (retried %d)%n", u.opsPerSecond(), u.p50Millis(), u.p99Millis(), u.maxMillis(),
                u.aborts(), u.retries());
        out.printf("               %9.1f log bytes/commit, %.1f commits per log block write, buffer hit ratio %.4f,"
                        + " %.0f commits per CPU-second%n", (double) u.logBytes() / Math.max(1, u.operations()),
                u.logBlockWrites() == 0 ? 0 : (double) u.operations() / u.logBlockWrites(), u.hitRatio(),
                u.opsPerCpuSecond());
        out.printf("  hot reads    %9.0f reads/s     p50 %7.1f µs   p99 %7.1f µs   %.0f per core, %.0f per CPU-second,"
                        + " buffer hit ratio %.4f (%d hot rows)%n", h.opsPerSecond(), h.p50Millis() * 1000,
                h.p99Millis() * 1000,
                h.opsPerSecond() / r.cores(), h.opsPerCpuSecond(), h.hitRatio(), r.options().hotRows());
        out.printf("  table reads  %9.0f reads/s     p50 %7.1f µs   p99 %7.1f µs   %.0f per core, %.0f per CPU-second,"
                        + " buffer hit ratio %.4f — %s%n", t.opsPerSecond(), t.p50Millis() * 1000,
                t.p99Millis() * 1000, t.opsPerSecond() / r.cores(), t.opsPerCpuSecond(),
                t.hitRatio(), r.tableFitsPool() ? "cached: the table fits the pool"
                        : "cold-ish: the table is larger than the pool");
        out.printf("  load         %9.0f rows/s (%d rows in %.1f s), volume %d pages, pool %d frames%n",
                r.load().rowsPerSecond(), r.load().rows(), r.load().seconds(), r.load().volumePages(),
                r.options().bufferPoolFrames());
        out.printf("  check        %s: counter sum %d, committed updates %d, rows %d of %d%n",
                r.checkPassed() ? "passed" : "FAILED", r.counterSum(), r.committedUpdates(), r.rowsCounted(),
                r.options().rows());
    }
}
