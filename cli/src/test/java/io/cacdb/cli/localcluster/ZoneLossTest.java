package io.cacdb.cli.localcluster;

import static io.cacdb.cli.localcluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The nodes are told apart by role, not name (a CPU-starved node can lose its lease right after start).
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
            String active = cluster.awaitActiveWithStandby();
            String standby = cluster.standbyName();
            String zone = otherZone(cluster.named(active).member().zone(), cluster.named(standby).member().zone());
            long epoch = cluster.epoch(active);
            long warm = w.commits() + 100 + new SplittableRandom(seed).nextInt(400);
            await("the workload commits", () -> w.commits() >= warm);
            boolean tookOverBefore = cluster.named(standby).details().containsKey("takeover_mode");

            long killedAt = System.nanoTime();
            cluster.sigkill(cluster.daxServersIn(zone));
            await("the clients keep committing with zone " + zone + " down",
                    () -> w.commitsAfter(killedAt) >= COMMITS_AFTER_LOSS);
            long sequence = leaseSequence(active);
            await("the active keeps renewing its lease",
                    () -> leaseSequence(active) >= sequence + RENEWALS_AFTER_LOSS);
            long durable = Long.parseLong(cluster.named(active).details().get("durable_lsn"));
            await("the standby keeps following", () -> {
                LocalCluster.MemberStatus s = cluster.named(standby);
                return "STANDBY".equals(s.role()) && "HEALTHY".equals(s.details().get("verdict"))
                        && Long.parseLong(s.details().getOrDefault("replay_lsn", "0")) >= durable;
            });
            long gapMillis = w.longestGapNanos(killedAt - 1_000_000_000L, System.nanoTime()) / 1_000_000;

            LocalCluster.MemberStatus a = cluster.named(active);
            LocalCluster.MemberStatus s = cluster.named(standby);
            assertEquals("ACTIVE", a.role(), "the active keeps its role: " + a);
            assertEquals(epoch, cluster.epoch(active), "no new epoch: no takeover, no re-fencing");
            assertEquals("STANDBY", s.role(), "no takeover: " + s);
            assertEquals(tookOverBefore, s.details().containsKey("takeover_mode"), "no takeover: " + s);
            assertEquals(1, cluster.nodes("ACTIVE").size(), "exactly one active");
            w.close();
            BankAuditWorkload.Check check = w.check();
            String line = String.format("zone %s killed after %d commits; %d commits after the loss; longest gap in"
                            + " commits around it %d ms; %s still ACTIVE at epoch %d; %s; %d reconnects", zone,
                    warm, w.commitsAfter(killedAt), gapMillis, active, epoch, check, w.reconnects());
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
            String active = cluster.awaitActiveWithStandby();
            String standby = cluster.standbyName();
            String zone = cluster.named(active).member().zone();
            long epoch = cluster.epoch(active);
            long warm = w.commits() + 100 + new SplittableRandom(seed).nextInt(400);
            await("the workload commits", () -> w.commits() >= warm);

            List<ClusterState.Member> victims = new ArrayList<>(cluster.daxServersIn(zone));
            victims.add(cluster.member(active));
            long killedAt = System.nanoTime();
            cluster.sigkill(victims);
            await(standby + " takes over", () -> "ACTIVE".equals(cluster.named(standby).role()));
            long activeAfterMillis = (System.nanoTime() - killedAt) / 1_000_000;
            await("the clients commit on the new active", () -> w.commitsAfter(killedAt) >= COMMITS_AFTER_LOSS);
            long gapMillis = w.longestGapNanos(killedAt - 1_000_000_000L, System.nanoTime()) / 1_000_000;

            LocalCluster.MemberStatus now = cluster.named(standby);
            assertTrue(cluster.epoch(standby) > epoch, "the new active writes at a higher epoch: " + now);
            assertEquals(1, cluster.nodes("ACTIVE").size(), "exactly one active");
            w.close();
            BankAuditWorkload.Check check = w.check();
            String line = String.format("zone %s and %s killed after %d commits; %s ACTIVE %d ms after (takeover"
                            + " %s%s, %s ms in the node) at epoch %d; client-observed gap %d ms; %s; %d reconnects",
                    zone, active, warm, standby, activeAfterMillis, now.details().get("takeover_mode"),
                    now.details().containsKey("takeover_cold_reason")
                            ? " because " + now.details().get("takeover_cold_reason") : "",
                    now.details().get("takeover_millis"), cluster.epoch(standby), gapMillis, check, w.reconnects());
            cluster.println(line);
            check.assertIntact(line);
            assertTrue(w.reconnects() > 0, "the clients had to reconnect: " + line);
        }
    }

    private long leaseSequence(String active) {
        return Long.parseLong(cluster.named(active).details().getOrDefault("lease_sequence", "0"));
    }

    /** The zone where neither node runs. */
    private static String otherZone(String activeZone, String standbyZone) {
        return LocalCluster.ZONES.stream().filter(z -> !z.equals(activeZone) && !z.equals(standbyZone)).findFirst()
                .orElseThrow();
    }
}
