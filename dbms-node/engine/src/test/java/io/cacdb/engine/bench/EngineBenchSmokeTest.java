package io.cacdb.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.local.LocalDaxCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code engine-bench} in smoke mode: a small table, one-second phases, on a real local cluster. It checks that the
 * benchmark keeps working (every phase ran, the counter check holds, the JSON has the reported fields), not how
 * fast anything is: speed is claimed from the benchmark itself ({@code docs/benchmarks.md}).
 */
class EngineBenchSmokeTest {

    @Test
    void smallRunCompletesEveryPhaseAndPassesItsCheck() throws Exception {
        EngineBench.Options options = new EngineBench.Options(null, LocalDaxCluster.Mode.IN_PROCESS,
                EngineBench.DEFAULT_VOLUME, Duration.ofSeconds(1), Duration.ZERO, 4, 3_000, 500, 8, Duration.ZERO,
                "a");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EngineBench.Result r;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            r = EngineBench.run(options, out);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertTrue(r.checkPassed(), "counter sum " + r.counterSum() + " vs committed " + r.committedUpdates()
                + ", rows " + r.rowsCounted());
        assertEquals(3_000, r.rowsCounted());
        assertTrue(r.updates().operations() > 0, "updates committed");
        assertTrue(r.hotReads().operations() > 0 && r.tableReads().operations() > 0, "reads ran");
        assertTrue(r.updates().logBytes() > 0, "the update phase appended log");
        assertEquals(1.0, r.hotReads().hitRatio(), "the hot set of 500 rows is cached in an 8 MiB pool");
        String json = r.toJson();
        for (String key : new String[] {"commits_per_s", "commit_p50_ms", "commit_p99_ms", "point_reads_per_s",
                "buffer_hit_ratio", "log_bytes_per_commit", "threads", "rows", "seconds", "cores",
                "buffer_pool_mb", "zone_delay_ms", "servers", "replicas", "check_passed"}) {
            assertTrue(json.contains("\"" + key + "\": "), key + " in " + json);
        }
        assertTrue(printed.contains("check        passed"), printed);
    }
}
