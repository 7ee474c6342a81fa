package io.cacdb.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.cli.localcluster.ChildProcesses;
import io.cacdb.cli.localcluster.ClusterState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CI-sized failover experiment for real: a local cluster (9 DAX servers, active and standby JVMs), one TPC-C
 * warehouse, two terminals, SIGKILL of the active after 8 s, 12 s more; the report must pass the audit and have sane
 * fields, and everything it started must be stopped. This is also a TPC-C run against a real local node, with every
 * consistency condition and the acknowledged-commit audit.
 *
 * <p>It was tagged slow for a while: on the shared 2-core machine the active lost its 500 ms lease in the first
 * seconds of the TPC-C load, and twice two nodes then served at one epoch. Lease renewals now pipeline (one slow quorum
 * write no longer fences a healthy active) and epochs are claimed (docs/failover.md), so it runs in the suite again.
 */
class FailoverExperimentTest {

    @TempDir
    Path tmp;

    @Test
    void ciSizedIncreaseReadIoRunPassesTheAuditAndStopsEverything() throws Exception {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        System.out.println("FailoverExperimentTest: seed " + seed + " (reproduce with -Dcacdb.seed=" + seed + ")");
        Path dir = tmp.resolve("exp");
        FailoverExperiment.Options options = FailoverExperiment.Options.of(ExperimentPolicy.INCREASE_READ_IO, 1, 2,
                Duration.ofSeconds(8), Duration.ofSeconds(12), dir).withSeed(seed);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        FailoverExperiment.Outcome o;
        try (PrintStream out = new PrintStream(new TeeStream(captured), true, StandardCharsets.UTF_8)) {
            o = FailoverExperiment.run(options, out);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        System.out.println("FailoverExperimentTest: " + FailoverExperiment.oneLine(o));

        assertTrue(o.ok(), "failures: " + o.failures());
        assertNotNull(o.run().audit());
        assertEquals(0, o.run().audit().lost());
        assertEquals(0, o.run().audit().damaged());
        assertTrue(o.run().audit().acknowledged() > 0, "New-Orders were acknowledged");
        assertTrue(o.run().consistencyOk());
        assertNotNull(o.downtimeMillis());
        assertTrue(o.downtimeMillis() > 0, "downtime " + o.downtimeMillis());
        assertTrue(o.maxZeroCommitGapMillis() >= o.downtimeMillis() - 1,
                "the gap spanning the kill is at least the downtime: " + o.maxZeroCommitGapMillis());
        assertTrue(o.baselinePerSecond() > 0);
        assertTrue(o.killSecond() >= 8 && o.killSecond() < 12, "killed at " + o.killSecond());
        // n1 dies and n2 serves, unless a lease loss on a starved machine swapped their roles before the kill
        assertEquals(java.util.Set.of("n1", "n2"), java.util.Set.of(o.takeover().killedNode(),
                o.takeover().servingNode()));
        assertTrue(java.util.List.of("WARM", "COLD").contains(o.takeover().mode()), o.takeover().mode());
        assertFalse(o.takeover().stepsMillis().isEmpty(), "takeover steps from the new active's /metrics");
        assertTrue(o.takeover().stepsMillis().keySet().stream().anyMatch(k -> k.contains("fence")),
                o.takeover().stepsMillis().toString());
        assertFalse(o.occupancy().isEmpty(), "the standby's pool was sampled");

        Map<String, Object> json = ExperimentReport.json(o);
        for (String key : java.util.List.of("policy", "warehouses", "terminals", "baseline_commits_per_s",
                "downtime_ms", "max_zero_commit_gap_ms", "time_to_90pct_ms", "acknowledged_commits_lost",
                "consistency_ok", "takeover_steps_ms")) {
            assertTrue(json.containsKey(key), key);
        }
        assertEquals("increase-read-io", json.get("policy"));
        assertEquals(0L, json.get("acknowledged_commits_lost"));
        if (json.get("time_to_90pct_ms") == null) {
            assertNotNull(json.get("time_to_90pct_reason"), "a missing time to 90% says why");
        }
        for (String file : java.util.List.of(ExperimentReport.REPORT_JSON, ExperimentReport.CHART,
                ExperimentReport.REPORT_MD, "tpcc/summary.json", "tpcc/timeseries.csv")) {
            assertTrue(Files.size(dir.resolve(file)) > 0, file);
        }
        assertTrue(Files.readString(dir.resolve(ExperimentReport.REPORT_JSON)).contains("\"downtime_ms\""));
        assertTrue(log.contains("[4/5] killed the active n1"), log);
        for (ClusterState.Member m : ClusterState.read(dir.resolve("cluster")).members()) {
            assertTrue(ChildProcesses.find(m.pid(), m.config()).isEmpty(), m.name() + " still running");
        }
    }

    /** Prints what the experiment says (progress in the test log) and keeps it for assertions. */
    private static final class TeeStream extends java.io.OutputStream {
        private final ByteArrayOutputStream copy;

        TeeStream(ByteArrayOutputStream copy) {
            this.copy = copy;
        }

        @Override
        public void write(int b) {
            copy.write(b);
            System.out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            copy.write(b, off, len);
            System.out.write(b, off, len);
        }
    }
}
