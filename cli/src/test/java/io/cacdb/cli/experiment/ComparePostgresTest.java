package io.cacdb.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cacdb.cli.postgres.PostgresBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tpcc compare-postgres} at CI size (1 warehouse, 2 terminals, 3 s on each system) when PostgreSQL server
 * programs exist; skipped with the places searched otherwise.
 */
class ComparePostgresTest {

    @TempDir
    Path tmp;

    @Test
    void bothSystemsRunTheSameTpccAndTheSummaryHasTheRatio() throws Exception {
        List<String> searched = new ArrayList<>();
        assumeTrue(PostgresBinaries.find(searched).isPresent(), "no PostgreSQL binaries in " + searched);
        Path dir = tmp.resolve("cmp");
        ComparePostgres.Outcome o = ComparePostgres.run(ComparePostgres.Options.of(1, 2, Duration.ofSeconds(3), dir)
                .withSeed(42), System.out);
        assertTrue(o.ok(), "checks on both systems");
        assertTrue(o.cacdb().nopm() > 0 && o.postgres().nopm() > 0);
        assertEquals(o.cacdb().nopm() / o.postgres().nopm(), o.ratio(), 1e-9);
        assertTrue(o.cacdb().serverVersion().toLowerCase(java.util.Locale.ROOT).contains("cacdb")
                        || !o.cacdb().serverVersion().equals(o.postgres().serverVersion()),
                "two different servers: " + o.cacdb().serverVersion() + " / " + o.postgres().serverVersion());
        String summary = Files.readString(dir.resolve("summary.json"));
        assertTrue(summary.contains("\"ratio\""), summary);
        assertTrue(summary.contains("\"max_pred_locks_per_transaction\""), summary);
        for (String f : List.of("cacdb/summary.json", "cacdb/throughput.png", "postgres/summary.json",
                "postgres/timeseries.csv")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
    }
}
