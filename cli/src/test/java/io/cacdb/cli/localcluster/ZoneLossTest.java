package io.cacdb.cli.localcluster;

import static io.cacdb.cli.localcluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole zone lost under load, for real ({@code cluster up}: 9 DAX servers, two per segment in each of zones a, b, c,
 * N = 6, W = 4, R = 3; the active n1 in zone a, the standby n2 in zone b; every process its own JVM): the zone's three
 * DAX servers are SIGKILLed while the pgjdbc bank-transfer + audit workload runs.
 * <ul>
 *   <li>zone c (neither node's): every segment keeps 4 replicas in two zones, enough for W and for R, so the active
 *       keeps its role, its epoch and its lease, the clients keep committing, and the standby keeps following;</li>
 *   <li>zone a, with the active's JVM killed at the same moment: the standby in zone b fences (N − W + 1 = 3 of the 4
 *       live replicas of each segment), finds the end of the log and takes over; the clients reconnect through the
 *       multi-host URL.</li>
 * </ul>
 * Either way every acknowledged commit is present and the bank total holds (docs/dax-client.md: writes survive one
 * zone down; docs/failover.md, failure modes).
 */
class ZoneLossTest {

    static final int WORKERS = 4;
    /** Commits after the kill that show the workload goes on: hundreds of transfers, each a write at W. */
    static final int COMMITS_AFTER_LOSS = 200;
    /** Lease renewals after the kill: four lease durations, long enough for a wrong takeover to have happened. */
    static final int RENEWALS_AFTER_LOSS = 20;

    @TempDir
    Path tmp;

    private ProcessCluster cluster;

    @AfterEach
    void stopEverything() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void losingAZoneWithNeitherNodeNeedsNoTakeoverAndLosesNoCommit() throws Exception {
        long seed = ProcessCluster.seed("ZoneLossTest");
        cluster = new ProcessCluster("ZoneLossTest", tmp.resolve("zone-c")).up();
        try (BankAuditWorkload w = new BankAuditWorkload(cluster.clientUrl(), WORKERS, seed)) {
            w.setUp();
            w.start();
            cluster.awaitStandbyFollowing();
            assertEquals("ACTIVE", cluster.named("n1").role());
            long epoch = cluster.epoch("n1");
            long warm = w.commits() + 100 + new SplittableRandom(seed).nextInt(400);
            await("the workload commits", () -> w.commits() >= warm);

            long killedAt = System.nanoTime();
            cluster.sigkill(cluster.daxServersIn("c"));
            await("the clients keep committing with zone c down",
                    () -> w.commitsAfter(killedAt) >= COMMITS_AFTER_LOSS);
            long sequence = leaseSequence();
            await("the active keeps renewing its lease", () -> leaseSequence() >= sequence + RENEWALS_AFTER_LOSS);
            long durable = Long.parseLong(cluster.named("n1").details().get("durable_lsn"));
            await("the standby keeps following", () -> {
                LocalCluster.MemberStatus n2 = cluster.named("n2");
                return "STANDBY".equals(n2.role()) && "HEALTHY".equals(n2.details().get("verdict"))
                        && Long.parseLong(n2.details().getOrDefault("replay_lsn", "0")) >= durable;
            });
            long gapMillis = w.longestGapNanos(killedAt - 1_000_000_000L, System.nanoTime()) / 1_000_000;

            LocalCluster.MemberStatus n1 = cluster.named("n1");
            LocalCluster.MemberStatus n2 = cluster.named("n2");
            assertEquals("ACTIVE", n1.role(), "the active keeps its role: " + n1);
            assertEquals(epoch, cluster.epoch("n1"), "no new epoch: no takeover, no re-fencing");
            assertEquals("STANDBY", n2.role(), "no takeover: " + n2);
            assertFalse(n2.details().containsKey("takeover_mode"), "no takeover: " + n2);
            assertEquals(1, cluster.nodes("ACTIVE").size(), "exactly one active");
            w.close();
            BankAuditWorkload.Check check = w.check();
            String line = String.format("zone c (d7-d9) killed after %d commits; %d commits after the loss;"
                            + " longest gap in commits around it %d ms; n1 still ACTIVE at epoch %d; %s; %d reconnects",
                    warm, w.commitsAfter(killedAt), gapMillis, epoch, check, w.reconnects());
            cluster.println(line);
            check.assertIntact(line);
        }
    }

    @Test
    void losingTheActivesZoneTakesOverInAnotherZoneAndLosesNoCommit() throws Exception {
        long seed = ProcessCluster.seed("ZoneLossTest");
        cluster = new ProcessCluster("ZoneLossTest", tmp.resolve("zone-a")).up();
        try (BankAuditWorkload w = new BankAuditWorkload(cluster.clientUrl(), WORKERS, seed)) {
            w.setUp();
            w.start();
            cluster.awaitStandbyFollowing();
            assertEquals("ACTIVE", cluster.named("n1").role());
            long epoch = cluster.epoch("n1");
            long warm = w.commits() + 100 + new SplittableRandom(seed).nextInt(400);
            await("the workload commits", () -> w.commits() >= warm);

            List<ClusterState.Member> zoneA = new ArrayList<>(cluster.daxServersIn("a"));
            zoneA.add(cluster.member("n1"));
            long killedAt = System.nanoTime();
            cluster.sigkill(zoneA);
            await("n2 (zone b) takes over", () -> "ACTIVE".equals(cluster.named("n2").role()));
            long activeAfterMillis = (System.nanoTime() - killedAt) / 1_000_000;
            await("the clients commit on the new active", () -> w.commitsAfter(killedAt) >= COMMITS_AFTER_LOSS);
            long gapMillis = w.longestGapNanos(killedAt - 1_000_000_000L, System.nanoTime()) / 1_000_000;

            LocalCluster.MemberStatus n2 = cluster.named("n2");
            assertTrue(cluster.epoch("n2") > epoch, "the new active writes at a higher epoch: " + n2);
            assertEquals(1, cluster.nodes("ACTIVE").size(), "exactly one active");
            w.close();
            BankAuditWorkload.Check check = w.check();
            String line = String.format("zone a (d1-d3) and n1 killed after %d commits; n2 ACTIVE %d ms after"
                            + " (takeover %s%s, %s ms in the node) at epoch %d; client-observed gap %d ms; %s;"
                            + " %d reconnects", warm, activeAfterMillis, n2.details().get("takeover_mode"),
                    n2.details().containsKey("takeover_cold_reason")
                            ? " because " + n2.details().get("takeover_cold_reason") : "",
                    n2.details().get("takeover_millis"), cluster.epoch("n2"), gapMillis, check, w.reconnects());
            cluster.println(line);
            check.assertIntact(line);
            assertTrue(w.reconnects() > 0, "the clients had to reconnect: " + line);
        }
    }

    private long leaseSequence() {
        return Long.parseLong(cluster.named("n1").details().getOrDefault("lease_sequence", "0"));
    }
}
