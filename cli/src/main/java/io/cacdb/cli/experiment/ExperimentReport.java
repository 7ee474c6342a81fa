package io.cacdb.cli.experiment;

import io.cacdb.cli.experiment.FailoverExperiment.Outcome;
import io.cacdb.tpcc.report.Json;
import io.cacdb.tpcc.report.TimeChart;
import io.cacdb.tpcc.report.TpccReport;
import io.cacdb.tpcc.series.PerSecondSeries;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The failover experiment's files: per run {@code report.json}, {@code throughput.png}, {@code report.md} and the TPC-C
 * run's own {@code tpcc/summary.json|timeseries.csv|throughput.png}; for {@code --all-policies}
 * {@code comparison.md} (shaped like CAC-DB's Table 6.3) and {@code comparison.png} (throughput per policy over
 * pool occupancy per policy). docs/tpcc.md describes every field.
 */
public final class ExperimentReport {

    public static final String REPORT_JSON = "report.json";
    public static final String REPORT_MD = "report.md";
    public static final String CHART = "throughput.png";
    public static final String COMPARISON_MD = "comparison.md";
    public static final String COMPARISON_PNG = "comparison.png";
    /** The slower of the two moving averages on the chart: the longer-term level. */
    static final int LONG_MOVING_AVERAGE_SECONDS = 60;
    private static final Color[] POLICY_COLORS = {new Color(31, 90, 180), new Color(230, 120, 20),
            new Color(40, 150, 60), new Color(150, 60, 160)};

    private ExperimentReport() {
    }

    /** Writes one run's files into {@code outcome.dir()}. */
    public static void write(Outcome o) throws IOException {
        Files.createDirectories(o.dir());
        TpccReport.write(o.run(), o.dir().resolve("tpcc"));
        Files.writeString(o.dir().resolve(REPORT_JSON), Json.write(json(o)));
        chart(o).writePng(o.dir().resolve(CHART));
        Files.writeString(o.dir().resolve(REPORT_MD), markdown(o));
    }

    /** report.json: the headline fields the issue names first, then detail. */
    public static Map<String, Object> json(Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        FailoverExperiment.Options opt = o.options();
        m.put("policy", opt.policy().word());
        m.put("warehouses", opt.warehouses());
        m.put("terminals", opt.terminals());
        m.put("baseline_commits_per_s", o.baselinePerSecond());
        m.put("downtime_ms", o.downtimeMillis());
        m.put("max_zero_commit_gap_ms", o.maxZeroCommitGapMillis());
        m.put("time_to_90pct_ms", o.recovery().millis());
        if (!o.recovery().reached()) {
            m.put("time_to_90pct_reason", o.recovery().reason());
        }
        m.put("acknowledged_commits", o.run().audit() == null ? null : o.run().audit().acknowledged());
        m.put("acknowledged_commits_lost", o.run().audit() == null ? null : o.run().audit().lost());
        m.put("acknowledged_commits_damaged", o.run().audit() == null ? null : o.run().audit().damaged());
        m.put("consistency_ok", o.run().consistencyOk());
        m.put("order_counter_consistent", o.run().orderCounterConsistent());
        m.put("takeover_steps_ms", new LinkedHashMap<>(o.takeover().stepsMillis()));
        m.put("ok", o.ok());
        m.put("failures", o.failures());
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("killed", o.takeover().killedNode());
        t.put("serving", o.takeover().servingNode());
        t.put("kill_at_s", o.killSecond());
        t.put("serving_after_kill_ms", o.takeover().servingAfterKillMillis());
        t.put("mode", o.takeover().mode());
        t.put("takeover_millis_in_node", o.takeover().nodeMillis());
        t.put("cold_reason", o.takeover().coldReason());
        m.put("takeover", t);
        m.put("nopm_whole_run", o.run().nopm());
        m.put("commits_per_s_whole_run", o.run().commitsPerSecond());
        m.put("commits_after_kill", commitsAfter(o));
        m.put("recovered_at_second", o.recovery().atSecond());
        List<Object> occupancy = new ArrayList<>();
        for (OccupancyPoller.Sample s : o.occupancy()) {
            occupancy.add(List.of(round(s.second(), 1), round(s.percent(), 2)));
        }
        m.put("serving_node_pool_occupancy_pct", occupancy);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("before_s", opt.before().toSeconds());
        c.put("after_s", opt.after().toSeconds());
        c.put("zone_delay_ms", opt.zoneDelay().toMillis());
        c.put("node_buffer_pool_bytes", opt.nodeBufferPoolBytes());
        c.put("seed", opt.seed());
        c.put("cluster", "9 DAX servers (d1-d9, zones a/b/c, N=6 W=4 R=3), n1 active in zone a"
                + (opt.policy().hasStandby() ? ", n2 standby in zone b" : ", no standby"));
        c.put("isolation", o.run().options().isolation().name());
        c.put("client_load_average_start_end", List.of(o.run().loadAverages()[0], o.run().loadAverages()[1]));
        c.put("commit_instants_dropped", o.run().series().commitInstants().dropped());
        c.put("measures", "downtime: kill to the first commit completing after it; max gap: longest time between two "
                + "commit completions; baseline: mean commits/s of the last min(30, kill/2) complete seconds before "
                + "the kill; time to 90%: kill to the end of the first second whose moving average over the up to "
                + FailoverMeasures.WINDOW_SECONDS + " seconds wholly after the kill is >= 90% of the baseline and "
                + "stays so for " + FailoverMeasures.HOLD_SECONDS + " s");
        m.put("configuration", c);
        return m;
    }

    private static long commitsAfter(Outcome o) {
        long[] instants = o.run().series().commitInstants().sortedNanosSinceStart();
        long n = 0;
        for (long t : instants) {
            if (t > o.killNanos()) {
                n++;
            }
        }
        return n;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /** throughput.png: the TPC-C chart (per second, 10-s average, kill marker) plus the 60-s average and 90% line. */
    static TimeChart chart(Outcome o) {
        TimeChart chart = TpccReport.chart(o.run());
        double[][] xy = commitsPerSecond(o);
        chart.line("commits/s, " + LONG_MOVING_AVERAGE_SECONDS + "-s average", xy[0],
                TimeChart.movingAverage(xy[1], LONG_MOVING_AVERAGE_SECONDS), new Color(40, 150, 60), 2.5f);
        if (o.baselinePerSecond() > 0 && xy[0].length > 0) {
            double target = FailoverMeasures.RECOVERED_FRACTION * o.baselinePerSecond();
            chart.dashedLine("90% of the pre-kill baseline", new double[] {0, xy[0][xy[0].length - 1]},
                    new double[] {target, target}, new Color(120, 120, 120), 1.5f);
        }
        if (o.recovery().reached()) {
            chart.event(o.killSecond() + o.recovery().millis() / 1000.0, "back to 90%");
        }
        return chart;
    }

    /** x = end of each complete second of the run, y = commits in it. */
    static double[][] commitsPerSecond(Outcome o) {
        int seconds = (int) Math.floor(o.run().measureFromSecond() + o.run().measuredSeconds());
        List<PerSecondSeries.Row> rows = o.run().series().rows(0, seconds);
        double[] x = new double[rows.size()];
        double[] y = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            x[i] = rows.get(i).second() + 1;
            y[i] = rows.get(i).commits();
        }
        return new double[][] {x, y};
    }

    static String markdown(Outcome o) {
        FailoverExperiment.Options opt = o.options();
        StringBuilder sb = new StringBuilder();
        sb.append("# Failover experiment: ").append(opt.policy().word()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "TPC-C with %d warehouse(s) and %d terminals on a local cluster (9 DAX "
                        + "servers in 3 zones, %d ms zone delay, %s). The active %s was killed with SIGKILL %.1f s "
                        + "into the run; the run went on for %d s more.%n%n", opt.warehouses(), opt.terminals(),
                opt.zoneDelay().toMillis(), opt.policy().hasStandby() ? "a hot standby in zone b with policy "
                        + opt.policy().word() : "no standby: the killed node is restarted", o.takeover().killedNode(),
                o.killSecond(), opt.after().toSeconds()));
        sb.append(String.format(Locale.ROOT, "- **Before the kill** the cluster committed **%.1f transactions/s** "
                + "(baseline).%n", o.baselinePerSecond()));
        sb.append(o.downtimeMillis() == null ? "- **Nothing committed after the kill.**\n"
                : String.format(Locale.ROOT, "- **Downtime %.0f ms**: from the kill to the first commit after it.%n",
                o.downtimeMillis()));
        sb.append(String.format(Locale.ROOT, "- The longest time without any commit was **%.0f ms**.%n",
                o.maxZeroCommitGapMillis()));
        sb.append(o.recovery().reached()
                ? String.format(Locale.ROOT, "- Throughput was **back to 90%% of the baseline %.1f s after the kill** "
                + "(and stayed there %d s).%n", o.recovery().millis() / 1000.0, FailoverMeasures.HOLD_SECONDS)
                : "- Throughput did **not** get back to 90% of the baseline: " + o.recovery().reason() + ".\n");
        sb.append(String.format(Locale.ROOT, "- %s served %.0f ms after the kill (%s%s).%n",
                o.takeover().servingNode(), o.takeover().servingAfterKillMillis(),
                "RESTART".equals(o.takeover().mode()) ? "restart with crash recovery"
                        : o.takeover().mode() + " takeover",
                o.takeover().nodeMillis() == null ? "" : String.format(Locale.ROOT, ", %.0f ms of it inside the node",
                        o.takeover().nodeMillis())));
        if (!o.takeover().stepsMillis().isEmpty()) {
            sb.append("- Steps: ");
            List<String> steps = new ArrayList<>();
            o.takeover().stepsMillis().forEach((k, v) -> steps.add(String.format(Locale.ROOT, "%s %.1f ms", k, v)));
            sb.append(String.join(", ", steps)).append(".\n");
        }
        var a = o.run().audit();
        sb.append(a == null ? "- The acknowledged-commit audit did not run.\n"
                : String.format(Locale.ROOT, "- **%d acknowledged New-Orders, %d lost, %d damaged**; TPC-C consistency "
                + "conditions %s.%n", a.acknowledged(), a.lost(), a.damaged(),
                o.run().consistencyOk() ? "hold" : "FAILED"));
        sb.append("\n").append(o.ok() ? "Verdict: **correct** (no acknowledged commit lost, every check passed).\n"
                : "Verdict: **FAILED**: " + String.join("; ", o.failures()) + ".\n");
        sb.append("\nFiles: `report.json`, `throughput.png` (grey: commits per second; blue: 10-s average; green: "
                + "60-s average; red dashed: the kill), `tpcc/` (the TPC-C run's summary, time series and chart), "
                + "`cluster/logs/` (every process's log).\n");
        return sb.toString();
    }

    /** comparison.md and comparison.png for several policies' outcomes (failed runs listed with their reason). */
    public static void writeComparison(Path dir, List<Outcome> outcomes, Map<String, String> notRun)
            throws IOException {
        Files.createDirectories(dir);
        StringBuilder sb = new StringBuilder("# Failover experiment: the four policies\n\n");
        if (!outcomes.isEmpty()) {
            FailoverExperiment.Options opt = outcomes.getFirst().options();
            sb.append(String.format(Locale.ROOT, "TPC-C, %d warehouse(s), %d terminals, kill after %d s, %d s after; "
                            + "zone delay %d ms. Shaped like CAC-DB's Table 6.3 (10 warehouses there; best method 4 s "
                            + "downtime, 20 s to peak).%n%n", opt.warehouses(), opt.terminals(),
                    opt.before().toSeconds(), opt.after().toSeconds(), opt.zoneDelay().toMillis()));
        }
        sb.append("| policy | downtime (ms) | longest gap (ms) | back to 90% (s) | baseline commits/s | takeover | "
                + "lost | consistency |\n|---|---|---|---|---|---|---|---|\n");
        for (Outcome o : outcomes) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %s | %.1f | %s | %d | %s |%n",
                    o.options().policy().word(),
                    o.downtimeMillis() == null ? "never" : String.format(Locale.ROOT, "%.0f", o.downtimeMillis()),
                    o.maxZeroCommitGapMillis(),
                    o.recovery().reached() ? String.format(Locale.ROOT, "%.1f", o.recovery().millis() / 1000.0)
                            : "not reached", o.baselinePerSecond(), o.takeover().mode(), o.lost(),
                    o.run().consistencyOk() ? "ok" : "FAILED"));
        }
        notRun.forEach((policy, why) -> sb.append("| ").append(policy).append(" | failed: ").append(why.replace('|',
                '/')).append(" | | | | | | |\n"));
        for (Outcome o : outcomes) {
            if (!o.recovery().reached()) {
                sb.append("\n").append(o.options().policy().word()).append(": ").append(o.recovery().reason())
                        .append('.');
            }
        }
        sb.append("\n\n`comparison.png`: top, commits/s (10-s average) per policy with the kill marked; bottom, the "
                + "buffer-pool occupancy (resident pages / frames) of the node that serves after the kill — the "
                + "standby before it, the new active after (restart-only: the restarted node).\n");
        Files.writeString(dir.resolve(COMPARISON_MD), sb.toString());

        TimeChart throughput = new TimeChart("Commits per second (10-s average) by policy", "seconds since the start",
                "transactions committed per second");
        TimeChart pool = new TimeChart("Buffer-pool occupancy of the node serving after the kill",
                "seconds since the start", "resident pages / frames (%)");
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            Color color = POLICY_COLORS[i % POLICY_COLORS.length];
            double[][] xy = commitsPerSecond(o);
            throughput.line(o.options().policy().word(), xy[0],
                    TimeChart.movingAverage(xy[1], TpccReport.MOVING_AVERAGE_SECONDS), color, 2.5f);
            double[] x = o.occupancy().stream().mapToDouble(OccupancyPoller.Sample::second).toArray();
            double[] y = o.occupancy().stream().mapToDouble(OccupancyPoller.Sample::percent).toArray();
            pool.line(o.options().policy().word(), x, y, color, 2.5f);
        }
        if (!outcomes.isEmpty()) {
            throughput.event(outcomes.getFirst().killSecond(), "SIGKILL of the active");
            pool.event(outcomes.getFirst().killSecond(), "SIGKILL of the active");
        }
        Path top = Files.createTempFile(dir, "comparison-throughput", ".png");
        Path bottom = Files.createTempFile(dir, "comparison-pool", ".png");
        try {
            throughput.writePng(top, TimeChart.DEFAULT_WIDTH_PIXELS, 600);
            pool.writePng(bottom, TimeChart.DEFAULT_WIDTH_PIXELS, 450);
            BufferedImage a = ImageIO.read(top.toFile());
            BufferedImage b = ImageIO.read(bottom.toFile());
            BufferedImage both = new BufferedImage(Math.max(a.getWidth(), b.getWidth()), a.getHeight() + b.getHeight(),
                    BufferedImage.TYPE_INT_RGB);
            Graphics2D g = both.createGraphics();
            try {
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, both.getWidth(), both.getHeight());
                g.drawImage(a, 0, 0, null);
                g.drawImage(b, 0, a.getHeight(), null);
            } finally {
                g.dispose();
            }
            ImageIO.write(both, "png", dir.resolve(COMPARISON_PNG).toFile());
        } finally {
            Files.deleteIfExists(top);
            Files.deleteIfExists(bottom);
        }
    }
}
