package io.cacdb.tpcc.report;

import io.cacdb.tpcc.check.CommitAudit;
import io.cacdb.tpcc.check.ConsistencyReport;
import io.cacdb.tpcc.run.TerminalStats;
import io.cacdb.tpcc.run.TpccRun;
import io.cacdb.tpcc.series.PerSecondSeries;
import io.cacdb.tpcc.series.PerSecondSeries.Counter;
import io.cacdb.tpcc.series.PerSecondSeries.Row;
import io.cacdb.tpcc.txn.TransactionType;
import java.awt.Color;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Writes a run's outputs into a folder: {@code summary.json} (headline numbers, checks, and the configuration that
 * produced them), {@code timeseries.csv} (one row per second by completion time) and {@code throughput.png}
 * (commits per second with a 10-s moving average, events marked).
 */
public final class TpccReport {

    /** The moving-average window of the chart (the CAC-DB thesis' zoomed plots use 10 s). */
    public static final int MOVING_AVERAGE_SECONDS = 10;

    public static final String SUMMARY = "summary.json";
    public static final String TIMESERIES = "timeseries.csv";
    public static final String CHART = "throughput.png";

    private TpccReport() {
    }

    /** Writes the three files into {@code dir} (created if needed). */
    public static void write(TpccRun.Result r, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(SUMMARY), Json.write(summary(r)), StandardCharsets.UTF_8);
        writeTimeSeries(r, dir.resolve(TIMESERIES));
        chart(r).writePng(dir.resolve(CHART));
    }

    /** The rows worth reporting: from second 0 through the run's end and any in-flight tail. */
    public static List<Row> rows(TpccRun.Result r) {
        int end = (int) Math.ceil(r.measureFromSecond() + r.measuredSeconds());
        return r.series().rows(0, Math.max(end, r.series().highestSecond() + 1));
    }

    public static Map<String, Object> summary(TpccRun.Result r) {
        TerminalStats t = r.totals();
        Histogram all = t.latencyAll();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nopm", r.nopm());
        m.put("new_orders_per_minute_with_rollbacks", r.newOrdersPerMinuteWithRollbacks());
        m.put("commits_per_s", r.commitsPerSecond());
        m.put("latency_p50_ms", millis(all, 50));
        m.put("latency_p95_ms", millis(all, 95));
        m.put("latency_p99_ms", millis(all, 99));
        m.put("latency_max_ms", all.getTotalCount() == 0 ? null : all.getMaxValue() / 1000.0);
        m.put("retries", t.retries());
        m.put("errors", t.connectionErrors() + t.otherErrors() + t.gaveUp());
        m.put("consistency_ok", r.consistencyOk());
        CommitAudit audit = r.audit();
        m.put("acknowledged_commits", audit == null ? null : audit.acknowledged());
        m.put("acknowledged_commits_lost", audit == null ? null : audit.lost());
        m.put("acknowledged_commits_damaged", audit == null ? null : audit.damaged());
        m.put("audit_ok", audit == null ? null : audit.ok() && r.orderCounterConsistent());
        m.put("measured_seconds", r.measuredSeconds());
        m.put("measured_commits", r.measuredCommits());
        m.put("measured_new_order_commits", r.measured(Counter.NEW_ORDER_COMMITS));
        m.put("measured_user_rollbacks", r.measured(Counter.USER_ROLLBACKS));

        Map<String, Object> types = new LinkedHashMap<>();
        long measuredCommits = Math.max(1, r.measuredCommits());
        for (TransactionType type : TransactionType.values()) {
            Histogram h = t.latency(type);
            long measured = r.measured(Counter.commitsOf(type));
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("measured_commits", measured);
            x.put("share_pct", 100.0 * measured / measuredCommits);
            x.put("commits_whole_run", t.commits(type));
            x.put("retries_whole_run", t.retries(type));
            x.put("p50_ms", millis(h, 50));
            x.put("p95_ms", millis(h, 95));
            x.put("p99_ms", millis(h, 99));
            x.put("max_ms", h.getTotalCount() == 0 ? null : h.getMaxValue() / 1000.0);
            types.put(type.key(), x);
        }
        m.put("transactions", types);

        Map<String, Object> errors = new LinkedHashMap<>();
        errors.put("user_rollbacks", t.userRollbacks());
        errors.put("serialization_failures_40001", t.serializationFailures());
        errors.put("deadlocks_40P01", t.deadlocks());
        errors.put("gave_up_after_retries", t.gaveUp());
        errors.put("connections_lost", t.connectionsLost());
        errors.put("connect_failures", t.connectFailures());
        errors.put("other_errors", t.otherErrors());
        errors.put("commit_outcome_unknown", t.commitOutcomeUnknown());
        errors.put("new_order_outcome_unknown", t.newOrderOutcomeUnknown());
        errors.put("abandoned_at_end", t.abandonedAtEnd());
        errors.put("delivery_skipped_districts", t.deliverySkippedDistricts());
        errors.put("messages", new LinkedHashMap<>(r.errorMessages()));
        m.put("errors_detail", errors);

        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("check_failure", r.checkFailure());
        ConsistencyReport c = r.consistency();
        List<Object> conditions = new ArrayList<>();
        if (c != null) {
            for (ConsistencyReport.Condition cond : c.conditions()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("condition", cond.number());
                x.put("description", cond.description());
                x.put("ok", cond.ok());
                x.put("checked", cond.checked());
                x.put("violations", cond.violations());
                x.put("samples", cond.samples());
                conditions.add(x);
            }
        }
        checks.put("consistency_conditions", conditions);
        if (audit != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("acknowledged", audit.acknowledged());
            a.put("lost", audit.lost());
            a.put("damaged", audit.damaged());
            a.put("not_recorded", audit.notRecorded());
            a.put("complete", audit.complete());
            a.put("samples", audit.samples());
            a.put("orders_created", r.ordersCreated());
            a.put("order_counter_consistent", r.orderCounterConsistent());
            checks.put("acknowledged_commit_audit", a);
        }
        m.put("checks", checks);

        List<Object> events = new ArrayList<>();
        for (TpccRun.Event e : r.events()) {
            events.add(Map.of("second", e.second(), "label", e.label()));
        }
        m.put("events", events);
        m.put("series", Map.of("rows", rows(r).size(), "events_past_end", r.series().eventsPastEnd(),
                "late_latencies", r.series().lateLatencies()));
        m.put("configuration", configuration(r));
        return m;
    }

    private static Map<String, Object> configuration(TpccRun.Result r) {
        TpccRun.Options o = r.options();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("tool", "cacdb-tpcc");
        c.put("url", o.connection().redactedUrl());
        c.put("server", r.serverVersion());
        c.put("warehouses", r.warehouses());
        c.put("loaded_warehouses", r.loadedWarehouses());
        c.put("terminals", o.terminals());
        c.put("duration_s", o.duration().toMillis() / 1000.0);
        c.put("warmup_s", o.warmup().toMillis() / 1000.0);
        c.put("isolation", o.isolation().name());
        c.put("spec_pacing", o.specPacing());
        c.put("spec_pacing_ceiling_tpmc", 12.86 * r.warehouses());
        c.put("mix", o.mix().toString());
        c.put("seed", o.seed());
        c.put("max_retries", o.maxRetries());
        c.put("connect_timeout_ms", o.connection().connectTimeout().toMillis());
        c.put("socket_timeout_ms", o.connection().socketTimeout().toMillis());
        c.put("reconnect_backoff_max_ms", o.reconnectBackoffMax().toMillis());
        c.put("nurand_c_last_load", r.constants().cLastLoad());
        c.put("nurand_c_last_run", r.constants().cLastRun());
        c.put("nurand_c_id", r.constants().cId());
        c.put("nurand_ol_i_id", r.constants().olIId());
        c.put("started_at", r.startedAt().toString());
        c.put("client_cores", Runtime.getRuntime().availableProcessors());
        c.put("client_load_average_1m_start", r.loadAverages()[0]);
        c.put("client_load_average_1m_end", r.loadAverages()[1]);
        c.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        c.put("pgjdbc", org.postgresql.Driver.getVersion());
        return c;
    }

    public static void writeTimeSeries(TpccRun.Result r, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("second,new_order,payment,order_status,delivery,stock_level,commits,user_rollbacks,"
                    + "retryable_aborts,connection_errors,other_errors,p50_ms,p95_ms,p99_ms\n");
            for (Row row : rows(r)) {
                w.write(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%s,%s,%s%n", row.second(),
                        row.count(Counter.NEW_ORDER_COMMITS), row.count(Counter.PAYMENT_COMMITS),
                        row.count(Counter.ORDER_STATUS_COMMITS), row.count(Counter.DELIVERY_COMMITS),
                        row.count(Counter.STOCK_LEVEL_COMMITS), row.commits(), row.count(Counter.USER_ROLLBACKS),
                        row.count(Counter.RETRYABLE_ABORTS), row.count(Counter.CONNECTION_ERRORS),
                        row.count(Counter.OTHER_ERRORS), csv(row.p50Millis()), csv(row.p95Millis()),
                        csv(row.p99Millis())));
            }
        }
    }

    /**
     * The throughput chart: commits per second (thin grey), their 10-s moving average (blue), New-Orders per
     * second's 10-s moving average (orange), connection errors per second (red, if any), the warm-up's end and the
     * run's events as markers. Callers can add series and events before writing.
     */
    public static TimeChart chart(TpccRun.Result r) {
        // Up to the run's end: the rows after it only hold the stragglers that were in flight at the end.
        List<Row> rows = r.series().rows(0, (int) Math.ceil(r.measureFromSecond() + r.measuredSeconds()));
        double[] x = new double[rows.size()];
        double[] commits = new double[rows.size()];
        double[] newOrders = new double[rows.size()];
        double[] connErrors = new double[rows.size()];
        boolean anyConnErrors = false;
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            x[i] = row.second() + 1; // a row counts what completed during [s, s+1): plot it at its end
            commits[i] = row.commits();
            newOrders[i] = row.count(Counter.NEW_ORDER_COMMITS);
            connErrors[i] = row.count(Counter.CONNECTION_ERRORS);
            anyConnErrors |= connErrors[i] > 0;
        }
        String title = String.format(Locale.ROOT, "TPC-C on %s: %d W, %d terminals — %,.0f commits/s, NOPM %,.0f",
                r.serverVersion(), r.warehouses(), r.options().terminals(), r.commitsPerSecond(), r.nopm());
        TimeChart chart = new TimeChart(title, "seconds since start (by commit completion time)",
                "transactions committed per second")
                .line("commits/s", x, commits, new Color(170, 170, 170), 1f)
                .line("commits/s, " + MOVING_AVERAGE_SECONDS + "-s average", x,
                        TimeChart.movingAverage(commits, MOVING_AVERAGE_SECONDS), new Color(31, 90, 180), 3f)
                .line("New-Orders/s, " + MOVING_AVERAGE_SECONDS + "-s average", x,
                        TimeChart.movingAverage(newOrders, MOVING_AVERAGE_SECONDS), new Color(230, 120, 20), 2f);
        if (anyConnErrors) {
            chart.dashedLine("connection errors/s", x, connErrors, new Color(200, 30, 30), 1.5f);
        }
        if (r.measureFromSecond() > 0) {
            chart.event(r.measureFromSecond(), "warm-up ends");
        }
        for (TpccRun.Event e : r.events()) {
            chart.event(e.second(), e.label());
        }
        return chart;
    }

    private static Double millis(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? null : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static String csv(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** For callers that only have a series (e.g. a live view): its rows [0, highest second]. */
    public static List<Row> rows(PerSecondSeries s) {
        return s.rows(0, s.highestSecond() + 1);
    }
}
