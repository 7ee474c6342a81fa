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
 * Takeover for real: {@code cluster up} (9 DAX servers, the active n1 and the standby n2, each its own JVM), a pgjdbc
 * bank-transfer workload with an insert-only audit table through the multi-host URL, then rounds of: SIGKILL of the
 * active's JVM, the standby takes over, the clients reconnect, every acknowledged commit is there and the total is
 * unchanged; the killed node is started again ({@code cluster up} starts the stopped member), is refused the active
 * role (the other node holds a live lease) and rejoins as standby; the next round kills the other node. Each round's
 * timing (kill → ACTIVE, client-observed gap) is printed with the round's seed.
 */
class ProcessFailoverTest {

    /** Three rounds: each node is killed as the active at least once, the first one twice. */
    static final int ROUNDS = 3;
    static final int WORKERS = 4;

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
    void sigkillOfTheActiveUnderLoadLosesNoAcknowledgedCommit() throws Exception {
        long base = ProcessCluster.seed("ProcessFailoverTest");
        cluster = new ProcessCluster("ProcessFailoverTest", tmp.resolve("failover")).up();
        List<String> report = new ArrayList<>();
        try (BankAuditWorkload w = new BankAuditWorkload(cluster.clientUrl(), WORKERS, base)) {
            w.setUp();
            w.start();
            for (int round = 1; round <= ROUNDS; round++) {
                long seed = base + round;
                SplittableRandom r = new SplittableRandom(seed);
                LocalCluster.MemberStatus active = cluster.node("ACTIVE").orElseThrow();
                cluster.awaitStandbyFollowing();
                String standbyName = cluster.node("STANDBY").orElseThrow().member().name();
                long warm = w.commits() + 100 + r.nextInt(400);
                await("the workload commits under the active", () -> w.commits() >= warm);

                long killedAt = System.nanoTime();
                cluster.sigkill(List.of(active.member()));
                await(standbyName + " takes over", () -> cluster.named(standbyName).role().equals("ACTIVE"));
                long activeAfterMillis = (System.nanoTime() - killedAt) / 1_000_000;
                await("clients commit on the new active", () -> w.commitsAfter(killedAt) >= 50);
                long gapMillis = w.longestGapNanos(killedAt - 1_000_000_000L, System.nanoTime()) / 1_000_000;
                LocalCluster.MemberStatus now = cluster.named(standbyName);
                BankAuditWorkload.Check check = w.check();
                String line = String.format("round %d (seed %d): killed %s (pid %d) after %d commits; %s ACTIVE %d ms"
                                + " after the kill (takeover %s%s, %s ms in the node); client-observed gap %d ms;"
                                + " total %d, %d audit rows, %d acknowledged, %d missing", round, seed,
                        active.member().name(), active.member().pid(), warm, standbyName, activeAfterMillis,
                        now.details().get("takeover_mode"), now.details().containsKey("takeover_cold_reason")
                                ? " because " + now.details().get("takeover_cold_reason") : "",
                        now.details().get("takeover_millis"), gapMillis,
                        check.total(), check.auditRows(), check.acknowledged(), check.missing());
                cluster.println(line);
                report.add(line);
                check.assertIntact(line);
                // WARM normally; COLD is correct too (the dying active's last log write can reach a minority of
                // replicas that the standby's quorum read saw and the takeover's did not: docs/failover.md)
                assertTrue(List.of("WARM", "COLD").contains(now.details().get("takeover_mode")), line);

                // the killed node comes back: refused the active role, it rejoins as the standby
                LocalClusterTest.Run restart = cluster.upAgain();
                assertTrue(restart.out().contains(active.member().name() + " STANDBY"), restart.out());
                assertEquals("STANDBY", cluster.named(active.member().name()).role());
            }
            w.close();
            BankAuditWorkload.Check last = w.check();
            last.assertIntact("final");
            cluster.println(w.commits() + " commits, " + w.reconnects() + " reconnects, " + w.retries()
                    + " serialization retries; final " + last);
        }
        report.forEach(l -> cluster.println("summary: " + l));
        assertTrue(cluster.log("n2").contains("takeover step fence"), "the takeover logs its steps");
    }
}
