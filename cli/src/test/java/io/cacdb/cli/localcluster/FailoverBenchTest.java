package io.cacdb.cli.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's measures, on hand-built rounds (the benchmark itself runs outside the suite). */
class FailoverBenchTest {

    private static FailoverBench.Options options(int runs) {
        return new FailoverBench.Options(Path.of("/tmp/x"), runs, Duration.ZERO, 4, Duration.ofSeconds(5), 7);
    }

    private static FailoverBench.Round round(int run, long downtime) {
        return new FailoverBench.Round(run, "n1", "n2", downtime, downtime - 100, "WARM", "250");
    }

    @Test
    void percentilesRatioAndVerdict() {
        assertEquals(0, FailoverBench.percentile(List.of(), 50));
        assertEquals(3, FailoverBench.percentile(List.of(5L, 1L, 3L, 2L, 4L), 50));
        assertEquals(99, FailoverBench.percentile(java.util.stream.LongStream.rangeClosed(1, 100).boxed().toList(), 99));
        FailoverBench.Result r = new FailoverBench.Result(options(3), 200, 190, List.of(5L, 9L, 40L),
                List.of(round(1, 900), round(2, 1500), round(3, 1100)), new BankAuditWorkload.Check(
                BankAuditWorkload.ACCOUNTS * BankAuditWorkload.INITIAL_BALANCE, 10, 10, 0), 10, 2);
        assertEquals(1100, r.downtimeMillisP50());
        assertEquals(1500, r.downtimeMillisMax());
        assertEquals(0.95, r.throughputRatioWithStandby(), 1e-9);
        assertEquals(40, r.replayLagMillisP99());
        assertTrue(r.ok());
        Map<String, Object> json = r.toJson();
        for (String key : List.of("downtime_ms_p50", "downtime_ms_max", "acknowledged_commits_lost",
                "replay_lag_ms_p99", "throughput_ratio_with_standby")) {
            assertTrue(json.containsKey(key), key + " in " + json);
        }
        FailoverBench.Result lost = new FailoverBench.Result(options(3), 200, 190, List.of(), r.rounds(),
                new BankAuditWorkload.Check(BankAuditWorkload.ACCOUNTS * BankAuditWorkload.INITIAL_BALANCE, 10, 11, 1),
                11, 2);
        assertFalse(lost.ok(), "a lost acknowledged commit fails the benchmark");
        assertEquals(1L, lost.toJson().get("acknowledged_commits_lost"));
        assertThrows(IllegalArgumentException.class, () -> options(0));
    }
}
