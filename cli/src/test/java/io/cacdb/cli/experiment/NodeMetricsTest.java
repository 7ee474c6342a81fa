package io.cacdb.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing a node's Prometheus text for what the experiment reads, and the policy words. */
class NodeMetricsTest {

    @Test
    void readsOccupancyAndTakeoverSteps() {
        NodeMetrics m = NodeMetrics.parse("""
                # HELP cacdb_bufferpool_frames
                # TYPE cacdb_bufferpool_frames gauge
                cacdb_bufferpool_frames{node="n2",zone="b"} 32768.0
                cacdb_bufferpool_resident_pages{node="n2",zone="b"} 8192.0
                cacdb_takeover_step_seconds_count{node="n2",step="fence",zone="b"} 1
                cacdb_takeover_step_seconds_sum{node="n2",step="fence",zone="b"} 0.0125
                cacdb_takeover_step_seconds_sum{node="n2",step="undo",zone="b"} 0.5
                cacdb_takeover_step_seconds_sum{node="n2",step="catch_up",zone="b"} 0.001
                cacdb_weird{node="n2"} NotANumber
                """);
        assertEquals(0.25, m.bufferPoolOccupancy(), 1e-12);
        assertEquals(Map.of("fence", 12.5, "catch_up", 1.0, "undo", 500.0), m.takeoverStepsMillis());
        assertEquals(List.of("fence", "catch_up", "undo"), List.copyOf(m.takeoverStepsMillis().keySet()),
                "in the order the takeover runs them");
        assertTrue(Double.isNaN(m.first("cacdb_weird")), "an unparsable value is skipped");
        assertTrue(Double.isNaN(NodeMetrics.parse("").bufferPoolOccupancy()), "no pool, no occupancy");
    }

    @Test
    void policyWordsRoundTrip() {
        assertEquals(List.of("increase-read-io", "active-wait", "unsafe-eviction", "restart-only"),
                java.util.Arrays.stream(ExperimentPolicy.values()).map(ExperimentPolicy::word).toList());
        for (ExperimentPolicy p : ExperimentPolicy.values()) {
            assertEquals(p, ExperimentPolicy.parse(p.word().toUpperCase(java.util.Locale.ROOT)));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExperimentPolicy.parse("wait"));
        assertTrue(e.getMessage().contains("restart-only"), e.getMessage());
    }
}
