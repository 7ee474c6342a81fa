package io.cacdb.tpcc.run;

import io.cacdb.tpcc.check.AcknowledgedNewOrders;
import io.cacdb.tpcc.check.CommitAudit;
import io.cacdb.tpcc.check.ConsistencyCheck;
import io.cacdb.tpcc.check.ConsistencyReport;
import io.cacdb.tpcc.connect.ConnectionSettings;
import io.cacdb.tpcc.random.NURandConstants;
import io.cacdb.tpcc.random.TpccRandom;
import io.cacdb.tpcc.schema.TpccSchema;
import io.cacdb.tpcc.series.PerSecondSeries;
import io.cacdb.tpcc.series.PerSecondSeries.Counter;
import io.cacdb.tpcc.series.PerSecondSeries.Row;
import io.cacdb.tpcc.txn.TerminalHome;
import io.cacdb.tpcc.txn.TransactionType;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A TPC-C run against a loaded database: {@code terminals} closed-loop terminals for {@code warmup + duration}, then
 * (optionally) the consistency conditions and the acknowledged-commit audit. The library entry point for
 * {@code ./cacdb tpcc run}, the failover experiment and the demo:
 *
 * <pre>{@code
 * TpccRun run = TpccRun.start(options, System.out::println);
 * ... run.markEvent("kill node a") ...        // shows on the chart and in summary.json
 * TpccRun.Result result = run.awaitResult();   // waits for the end, runs the checks
 * TpccReport.write(result, outDir);
 * }</pre>
 *
 * <p>Terminal i has home warehouse {@code i mod W + 1} and Stock-Level district {@code (i div W) mod 10 + 1}, so at
 * most 10·W terminals each get their own (warehouse, district). The run's NURand constants are drawn from the seed
 * with the C_LAST delta rule against the load constant read from {@code tpcc_load_info}.
 */
public final class TpccRun {

    /** How often the ticker seals finished seconds of the series. */
    static final Duration TICK = Duration.ofSeconds(1);
    /** Extra rows after the run's end for commits that were in flight (bounded by the socket timeout anyway). */
    static final Duration SERIES_TAIL = Duration.ofSeconds(60);
    /** Grace for terminals to end after the deadline, on top of one socket timeout plus connect timeout. */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** How long the start and the post-run checks keep trying to connect (recovery or a failover may be settling). */
    static final Duration CONNECT_PATIENCE = Duration.ofSeconds(60);

    /**
     * @param connection          the database; a multi-host URL is used as is (pgjdbc picks the primary)
     * @param warehouses          W to drive; 0 = all the database was loaded with
     * @param terminals           concurrent terminals, 1..10·W
     * @param duration            the measurement window
     * @param warmup              time before the window (counted in the series, not in the summary's rates)
     * @param isolation           session isolation level
     * @param specPacing          keying and think times of spec §5.2.5.7 (caps throughput at 12.86 tpmC per W)
     * @param mix                 transaction weights, dealt from a per-terminal deck
     * @param seed                random seed of inputs and NURand run constants
     * @param maxRetries          retries of one transaction after 40001/40P01 before giving up on it
     * @param reconnectBackoffMax cap of the reconnect backoff
     * @param progressInterval    how often to print a progress line; zero for never
     * @param checkAfterRun       run consistency conditions and the audit after the run
     * @param ackLogMaxEntries    budget of the acknowledged-New-Order log (8 bytes each)
     */
    public record Options(ConnectionSettings connection, int warehouses, int terminals, Duration duration,
            Duration warmup, Isolation isolation, boolean specPacing, Mix mix, long seed, int maxRetries,
            Duration reconnectBackoffMax, Duration progressInterval, boolean checkAfterRun, long ackLogMaxEntries) {

        /** Conflicts are common at small W under SERIALIZABLE (every Payment updates its W_YTD row). */
        public static final int DEFAULT_MAX_RETRIES = 100;
        public static final Duration DEFAULT_RECONNECT_BACKOFF_MAX = Duration.ofMillis(500);
        public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(5);

        public Options {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(isolation, "isolation");
            Objects.requireNonNull(mix, "mix");
            if (warehouses < 0 || warehouses > TpccSchema.WAREHOUSES_MAX) {
                throw new IllegalArgumentException("warehouses must be 0 (all loaded) or 1.."
                        + TpccSchema.WAREHOUSES_MAX + ", was " + warehouses);
            }
            if (terminals < 1) {
                throw new IllegalArgumentException("terminals must be >= 1, was " + terminals);
            }
            if (duration.compareTo(Duration.ofSeconds(1)) < 0 || warmup.isNegative()) {
                throw new IllegalArgumentException("duration must be >= 1 s and warmup >= 0, were " + duration
                        + " and " + warmup);
            }
            long seriesSeconds = duration.plus(warmup).plus(SERIES_TAIL).toSeconds();
            if (seriesSeconds > PerSecondSeries.MAX_SECONDS) {
                throw new IllegalArgumentException("warmup + duration is limited to "
                        + (PerSecondSeries.MAX_SECONDS - SERIES_TAIL.toSeconds()) + " s (the per-second series is "
                        + "kept in memory)");
            }
            if (maxRetries < 0) {
                throw new IllegalArgumentException("max retries must be >= 0, was " + maxRetries);
            }
            if (reconnectBackoffMax.compareTo(Terminal.RECONNECT_BACKOFF_FIRST) < 0) {
                throw new IllegalArgumentException("reconnect backoff cap below the first backoff "
                        + Terminal.RECONNECT_BACKOFF_FIRST + ": " + reconnectBackoffMax);
            }
            if (progressInterval.isNegative() || ackLogMaxEntries < 0) {
                throw new IllegalArgumentException("negative progress interval or acknowledgement budget");
            }
        }

        /** Defaults: serializable, unpaced, 45/43/4/4/4, no warm-up, 100 retries, 500 ms backoff cap, checks on. */
        public static Options of(String url, int warehouses, int terminals, Duration duration) {
            return new Options(ConnectionSettings.forTerminals(url), warehouses, terminals, duration, Duration.ZERO,
                    Isolation.SERIALIZABLE, false, Mix.DEFAULT, System.nanoTime(), DEFAULT_MAX_RETRIES,
                    DEFAULT_RECONNECT_BACKOFF_MAX, DEFAULT_PROGRESS_INTERVAL, true,
                    AcknowledgedNewOrders.DEFAULT_MAX_ENTRIES);
        }

        public Options withSeed(long s) {
            return new Options(connection, warehouses, terminals, duration, warmup, isolation, specPacing, mix, s,
                    maxRetries, reconnectBackoffMax, progressInterval, checkAfterRun, ackLogMaxEntries);
        }

        public Options withWarmup(Duration w) {
            return new Options(connection, warehouses, terminals, duration, w, isolation, specPacing, mix, seed,
                    maxRetries, reconnectBackoffMax, progressInterval, checkAfterRun, ackLogMaxEntries);
        }

        public Options withIsolation(Isolation i) {
            return new Options(connection, warehouses, terminals, duration, warmup, i, specPacing, mix, seed,
                    maxRetries, reconnectBackoffMax, progressInterval, checkAfterRun, ackLogMaxEntries);
        }

        public Options withSpecPacing(boolean on) {
            return new Options(connection, warehouses, terminals, duration, warmup, isolation, on, mix, seed,
                    maxRetries, reconnectBackoffMax, progressInterval, checkAfterRun, ackLogMaxEntries);
        }

        public Options withMix(Mix m) {
            return new Options(connection, warehouses, terminals, duration, warmup, isolation, specPacing, m, seed,
                    maxRetries, reconnectBackoffMax, progressInterval, checkAfterRun, ackLogMaxEntries);
        }

        public Options withMaxRetries(int n) {
            return new Options(connection, warehouses, terminals, duration, warmup, isolation, specPacing, mix, seed,
                    n, reconnectBackoffMax, progressInterval, checkAfterRun, ackLogMaxEntries);
        }

        public Options withReconnectBackoffMax(Duration d) {
            return new Options(connection, warehouses, terminals, duration, warmup, isolation, specPacing, mix, seed,
                    maxRetries, d, progressInterval, checkAfterRun, ackLogMaxEntries);
        }

        public Options withProgressInterval(Duration d) {
            return new Options(connection, warehouses, terminals, duration, warmup, isolation, specPacing, mix, seed,
                    maxRetries, reconnectBackoffMax, d, checkAfterRun, ackLogMaxEntries);
        }

        public Options withCheckAfterRun(boolean on) {
            return new Options(connection, warehouses, terminals, duration, warmup, isolation, specPacing, mix, seed,
                    maxRetries, reconnectBackoffMax, progressInterval, on, ackLogMaxEntries);
        }

        public Options withConnection(ConnectionSettings c) {
            return new Options(c, warehouses, terminals, duration, warmup, isolation, specPacing, mix, seed,
                    maxRetries, reconnectBackoffMax, progressInterval, checkAfterRun, ackLogMaxEntries);
        }
    }

    /** Something that happened during the run, at {@code second} seconds after its start (e.g. a server kill). */
    public record Event(double second, String label) {
    }

    /**
     * The outcome of a run.
     *
     * @param warehouses        W driven
     * @param loadedWarehouses  W in the database
     * @param constants         the NURand constants used
     * @param serverVersion     what the server reported
     * @param startedAt         wall-clock start of second 0
     * @param measuredSeconds   length of the measurement window actually run
     * @param totals            all terminals' counts (whole run) and window latencies
     * @param series            the per-second series (sealed)
     * @param events            marked events
     * @param errorMessages     distinct error messages with counts
     * @param consistency       conditions after the run, or null if not checked
     * @param audit             the acknowledged-commit audit, or null if not checked
     * @param ordersCreated     Σ D_NEXT_O_ID after minus before (orders the database committed during the run)
     * @param checkFailure      why the checks could not run, or null
     * @param acknowledged      every acknowledged New-Order, packed and sorted (see {@link AcknowledgedNewOrders});
     *                          kept so a caller can audit again later (e.g. after restarting a server)
     * @param loadAverages      the client machine's 1-minute load average at the start and at the end (negative if
     *                          unknown): a busy machine explains a slow run
     */
    public record Result(Options options, int warehouses, int loadedWarehouses, NURandConstants constants,
            String serverVersion, Instant startedAt, double measuredSeconds, TerminalStats totals,
            PerSecondSeries series, List<Event> events, java.util.Map<String, Long> errorMessages,
            ConsistencyReport consistency, CommitAudit audit, long ordersCreated, String checkFailure,
            long[] acknowledged, double[] loadAverages) {

        /** First second of the measurement window (= warm-up seconds). */
        public int measureFromSecond() {
            return (int) options.warmup().toSeconds();
        }

        /** Rows of the measurement window. */
        public List<Row> measuredRows() {
            return series.rows(measureFromSecond(), measureFromSecond() + (int) Math.ceil(measuredSeconds));
        }

        public long measured(Counter c) {
            return measuredRows().stream().mapToLong(r -> r.count(c)).sum();
        }

        public long measuredCommits() {
            return measuredRows().stream().mapToLong(Row::commits).sum();
        }

        /** New-Order commits per minute in the window (HammerDB's NOPM: the 1% rollbacks are not orders). */
        public double nopm() {
            return measuredSeconds == 0 ? 0 : measured(Counter.NEW_ORDER_COMMITS) * 60.0 / measuredSeconds;
        }

        /** New-Orders per minute counting the intended rollbacks too (what go-tpc and tpcc-mysql call tpmC). */
        public double newOrdersPerMinuteWithRollbacks() {
            return measuredSeconds == 0 ? 0
                    : (measured(Counter.NEW_ORDER_COMMITS) + measured(Counter.USER_ROLLBACKS)) * 60.0 / measuredSeconds;
        }

        public double commitsPerSecond() {
            return measuredSeconds == 0 ? 0 : measuredCommits() / measuredSeconds;
        }

        /** Σ D_NEXT_O_ID grew by at least every acknowledged New-Order and at most those plus the unknown ones. */
        public boolean orderCounterConsistent() {
            long acked = audit == null ? 0 : audit.acknowledged() + audit.notRecorded();
            return ordersCreated >= acked && ordersCreated <= acked + totals.newOrderOutcomeUnknown();
        }

        public boolean consistencyOk() {
            return consistency != null && consistency.ok();
        }
    }

    private final Options options;
    private final Consumer<String> log;
    private final int warehouses;
    private final int loadedWarehouses;
    private final NURandConstants constants;
    private final String serverVersion;
    private final long ordersBefore;
    private final PerSecondSeries series;
    private final Terminal.Timeline timeline;
    private final Instant startedAt;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final List<Terminal> terminals = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final ErrorSamples errors = new ErrorSamples();
    private final Thread ticker;
    private final double loadAverageAtStart = loadAverage();
    private volatile long stoppedAtNanos = -1;
    private Result result;

    private TpccRun(Options options, Consumer<String> log, int warehouses, int loadedWarehouses,
            NURandConstants constants, String serverVersion, long ordersBefore) {
        this.options = options;
        this.log = log;
        this.warehouses = warehouses;
        this.loadedWarehouses = loadedWarehouses;
        this.constants = constants;
        this.serverVersion = serverVersion;
        this.ordersBefore = ordersBefore;
        long start = System.nanoTime();
        this.startedAt = Instant.now();
        long measureFrom = start + options.warmup().toNanos();
        long end = measureFrom + options.duration().toNanos();
        this.timeline = new Terminal.Timeline(start, measureFrom, end);
        this.series = new PerSecondSeries(start,
                (int) options.warmup().plus(options.duration()).plus(SERIES_TAIL).toSeconds());
        this.ticker = new Thread(this::tick, "tpcc-ticker");
        this.ticker.setDaemon(true);
    }

    /** Reads the load's facts, checks the options against them, starts the terminals; returns at once. */
    public static TpccRun start(Options options, Consumer<String> log) throws SQLException, InterruptedException {
        int loaded;
        int cLastLoad;
        String version;
        long ordersBefore;
        try (Connection c = connectPatiently(options.connection(), options.reconnectBackoffMax(), null);
             Statement st = c.createStatement()) {
            version = c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion();
            try (ResultSet rs = st.executeQuery("SELECT warehouses, c_last_load FROM " + TpccSchema.LOAD_INFO)) {
                if (!rs.next()) {
                    throw new SQLException(TpccSchema.LOAD_INFO + " is empty: load the database with "
                            + "'cacdb tpcc load' first");
                }
                loaded = rs.getInt(1);
                cLastLoad = rs.getInt(2);
            }
            ordersBefore = sumNextOrderIds(st);
        }
        int w = options.warehouses() == 0 ? loaded : options.warehouses();
        if (w > loaded) {
            throw new IllegalArgumentException("asked for " + w + " warehouses, the database has " + loaded);
        }
        if (options.terminals() > TpccSchema.TERMINALS_PER_WAREHOUSE_MAX * w) {
            throw new IllegalArgumentException(options.terminals() + " terminals for " + w + " warehouse(s): at most "
                    + TpccSchema.TERMINALS_PER_WAREHOUSE_MAX + " per warehouse (spec §4.2.2; each terminal owns a "
                    + "district)");
        }
        TpccRandom random = new TpccRandom(options.seed());
        NURandConstants constants = NURandConstants.forRun(cLastLoad, random);
        TpccRun run = new TpccRun(options, log, w, loaded, constants, version, ordersBefore);
        log.accept(String.format("run: %d terminal(s) on %d of %d warehouse(s), %s isolation, %s, mix %s, "
                        + "%d s warm-up + %d s measured, seed %d, NURand C: C_LAST load %d run %d, C_ID %d, "
                        + "OL_I_ID %d; server %s", options.terminals(), w, loaded, options.isolation(),
                options.specPacing() ? "spec pacing (ceiling " + String.format("%.1f", 12.86 * w) + " tpmC)"
                        : "no keying/think time", options.mix(), options.warmup().toSeconds(),
                options.duration().toSeconds(), options.seed(), constants.cLastLoad(), constants.cLastRun(),
                constants.cId(), constants.olIId(), version));
        if (!options.mix().meetsSpecMinimum()) {
            log.accept("run: note: mix " + options.mix() + " is below the spec's minimums (P 43%, OS/D/SL 4%)");
        }
        run.startTerminals(random);
        return run;
    }

    private void startTerminals(TpccRandom random) {
        var budget = AcknowledgedNewOrders.budget(options.ackLogMaxEntries());
        for (int i = 0; i < options.terminals(); i++) {
            TerminalHome home = new TerminalHome(warehouses, i % warehouses + 1,
                    (i / warehouses) % TpccSchema.DISTRICTS_PER_WAREHOUSE + 1, constants);
            Terminal t = new Terminal(i, home, random.nextSeed(), options, series, timeline, stopSignal,
                    new AcknowledgedNewOrders(budget), errors, log);
            terminals.add(t);
            Thread thread = new Thread(t, "tpcc-terminal-" + i);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        ticker.start();
    }

    private static long sumNextOrderIds(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT SUM(d_next_o_id) AS total FROM district")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Seconds since the run started. */
    public double elapsedSeconds() {
        return (System.nanoTime() - timeline.startNanos()) / 1e9;
    }

    /** Records an event now (shown as a marker on the chart and listed in summary.json). */
    public Event markEvent(String label) {
        Event e = new Event(elapsedSeconds(), label);
        events.add(e);
        log.accept(String.format("run: event at %.1f s: %s", e.second(), label));
        return e;
    }

    /** The live series (counters are current; percentiles appear a second or two after their second ends). */
    public PerSecondSeries series() {
        return series;
    }

    public Options options() {
        return options;
    }

    /** Ends the run early (terminals finish their current attempt). */
    public void stop() {
        if (stopSignal.getCount() > 0) {
            stoppedAtNanos = System.nanoTime();
            stopSignal.countDown();
        }
    }

    /** Waits for the end, stops the terminals, runs the checks; idempotent. */
    public synchronized Result awaitResult() throws InterruptedException {
        if (result != null) {
            return result;
        }
        long wait = timeline.endNanos() - System.nanoTime();
        if (wait > 0) {
            stopSignal.await(wait, TimeUnit.NANOSECONDS);
        }
        long endedAt = Math.min(System.nanoTime(), timeline.endNanos());
        if (stoppedAtNanos > 0) {
            endedAt = Math.min(endedAt, stoppedAtNanos);
        }
        stopSignal.countDown();
        long bound = System.nanoTime() + Terminal.worstStatement(options.connection()).plus(STOP_GRACE).toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(bound - System.nanoTime())));
        }
        for (int i = 0; i < threads.size(); i++) {
            if (threads.get(i).isAlive()) {
                log.accept("run: terminal " + i + " still busy after the end; aborting its connection");
                terminals.get(i).abortConnection();
                threads.get(i).join(STOP_GRACE.toMillis());
                if (threads.get(i).isAlive()) {
                    throw new IllegalStateException("terminal " + i + " did not stop after its connection was aborted");
                }
            }
        }
        double loadAverageAtEnd = loadAverage();
        ticker.interrupt();
        ticker.join();
        series.sealAll();
        TerminalStats totals = new TerminalStats();
        terminals.forEach(t -> totals.add(t.stats()));
        double measured = Math.max(0, (endedAt - timeline.measureFromNanos()) / 1e9);

        long[] acked = AcknowledgedNewOrders.merge(terminals.stream().map(Terminal::acknowledged).toList());
        ConsistencyReport consistency = null;
        CommitAudit audit = null;
        long ordersCreated = -1;
        String checkFailure = null;
        if (options.checkAfterRun()) {
            try (Connection c = connectForChecks()) {
                long t0 = System.nanoTime();
                consistency = ConsistencyCheck.check(c, loadedWarehouses);
                long notRecorded = terminals.stream().mapToLong(t -> t.acknowledged().dropped()).sum();
                audit = CommitAudit.audit(c, acked, notRecorded);
                try (Statement st = c.createStatement()) {
                    ordersCreated = sumNextOrderIds(st) - ordersBefore;
                }
                log.accept(String.format("run: checks took %.1f s", (System.nanoTime() - t0) / 1e9));
            } catch (SQLException e) {
                checkFailure = "checks could not run: " + e;
                log.accept("run: " + checkFailure);
            }
        }
        result = new Result(options, warehouses, loadedWarehouses, constants, serverVersion, startedAt, measured,
                totals, series, List.copyOf(events), errors.snapshot(), consistency, audit, ordersCreated,
                checkFailure, acked, new double[] {loadAverageAtStart, loadAverageAtEnd});
        return result;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Starts, waits, checks: the whole run in one call. */
    public static Result execute(Options options, Consumer<String> log) throws SQLException, InterruptedException {
        return start(options, log).awaitResult();
    }

    private Connection connectForChecks() throws SQLException, InterruptedException {
        return connectPatiently(options.connection(), options.reconnectBackoffMax(), errors);
    }

    /**
     * An auto-commit connection with bulk timeouts, retried with a capped doubling backoff for up to
     * {@link #CONNECT_PATIENCE}: at the start a server may still be recovering, after the run a failover settling.
     */
    private static Connection connectPatiently(ConnectionSettings settings, Duration backoffMax, ErrorSamples errors)
            throws SQLException, InterruptedException {
        ConnectionSettings bulk = settings.withTimeouts(settings.connectTimeout(), ConnectionSettings.BULK_SOCKET_TIMEOUT);
        long deadline = System.nanoTime() + CONNECT_PATIENCE.toNanos();
        long backoffMillis = 10;
        while (true) {
            try {
                Connection c = bulk.open();
                c.setAutoCommit(true);
                return c;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                if (errors != null) {
                    errors.add("connect for checks failed", e);
                }
                Thread.sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, backoffMax.toMillis());
            }
        }
    }

    /** Seals finished seconds and prints progress every {@code progressInterval}. */
    private void tick() {
        long intervalNanos = options.progressInterval().toNanos();
        long nextPrint = timeline.startNanos() + intervalNanos;
        int printedThrough = 0;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(TICK.toMillis());
                int now = series.secondOf(System.nanoTime());
                series.sealBefore(now - 1);
                if (intervalNanos > 0 && System.nanoTime() >= nextPrint) {
                    nextPrint += intervalNanos;
                    int to = now - 1; // the rows before 'to' are sealed (percentiles known)
                    if (to > printedThrough) {
                        log.accept(progressLine(series.rows(printedThrough, to), to));
                        printedThrough = to;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String progressLine(List<Row> rows, int to) {
        long commits = 0;
        long newOrders = 0;
        long retries = 0;
        long connErrors = 0;
        long other = 0;
        double p99 = Double.NaN;
        for (Row r : rows) {
            commits += r.commits();
            newOrders += r.count(Counter.NEW_ORDER_COMMITS);
            retries += r.count(Counter.RETRYABLE_ABORTS);
            connErrors += r.count(Counter.CONNECTION_ERRORS);
            other += r.count(Counter.OTHER_ERRORS);
            if (!Double.isNaN(r.p99Millis())) {
                p99 = Double.isNaN(p99) ? r.p99Millis() : Math.max(p99, r.p99Millis());
            }
        }
        double secs = Math.max(1, rows.size());
        return String.format("run: %5d s  commits/s %8.1f  NOPM %9.0f  worst p99 %7.1f ms  retries %d  "
                        + "connection errors %d  other errors %d", to, commits / secs, newOrders * 60 / secs, p99,
                retries, connErrors, other);
    }

    /** Counts of the whole run by type, for logs. */
    public static String describe(Result r) {
        StringBuilder sb = new StringBuilder();
        for (TransactionType t : TransactionType.values()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(t.displayName()).append(' ').append(r.totals().commits(t));
        }
        return sb.toString();
    }
}
