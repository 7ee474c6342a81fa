package io.cacdb.cli.localcluster;

import static io.cacdb.cli.localcluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.server.node.TakeoverFault;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standby killed during its own takeover, for real: {@code cluster up} with the nodes' JVMs told to halt at a
 * point of their takeover ({@link TakeoverFault}, {@code -Dcacdb.fault.halt-in-takeover}: {@code Runtime.halt}, a
 * process death at an exact step instead of a timer's race), the pgjdbc bank-transfer + audit workload, SIGKILL of the
 * active; the standby starts its takeover and dies at the point, one of these chosen from the seed (swarm testing:
 * each run pays for one cluster; {@code -Dcacdb.seed} reproduces the choice):
 * <ul>
 *   <li>{@code fenced}: the volume fenced to its epoch, nothing else written;</li>
 *   <li>{@code recovered}: the new epoch in META, its log begun, the losers rolled back with CLRs under it, the
 *       checkpointer started — but no lease taken and no client served.</li>
 * </ul>
 * Then {@code cluster up} (without the fault) starts both nodes again, as an operator would: n1 (role auto) finds no
 * live lease, fences past the dead standby's epoch and recovers — over the half-done takeover's epoch — and n2 rejoins
 * as its standby. Exactly one node is active, at a higher epoch, every acknowledged commit is present and the bank
 * total holds. Finally the restarted standby proves it follows for real: the active is killed again, it takes over,
 * and the checks hold again.
 */
class StandbyKilledDuringTakeoverTest {

    static final int WORKERS = 4;
    static final int COMMITS_AFTER = 50;
    private static final Pattern FENCED_TO = Pattern.compile("volume fenced to epoch (\\d+)");

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
    void theStandbyKilledDuringItsTakeoverAndRestartedLeavesTheDatabaseConsistentAndComplete() throws Exception {
        long seed = ProcessCluster.seed("StandbyKilledDuringTakeoverTest");
        // swarmed from the seed (a whole cluster per point would double the test's time)
        TakeoverFault.Point point = TakeoverFault.Point.values()[(int) Math.floorMod(seed,
                (long) TakeoverFault.Point.values().length)];
        String test = "StandbyKilledDuringTakeoverTest[" + point.key() + "]";
        cluster = new ProcessCluster(test, tmp.resolve("halt-" + point.key()))
                .upWithNodeJvmOptions(List.of("-D" + TakeoverFault.HALT_PROPERTY + "=" + point.key()));
        try (BankAuditWorkload w = new BankAuditWorkload(cluster.clientUrl(), WORKERS, seed)) {
            w.setUp();
            w.start();
            cluster.awaitStandbyFollowing();
            long epoch = cluster.epoch("n1");
            long warm = w.commits() + 100 + new SplittableRandom(seed).nextInt(400);
            await("the workload commits", () -> w.commits() >= warm);

            // 1. the active dies; the standby starts its takeover and halts at the point
            ClusterState.Member n2 = cluster.member("n2");
            cluster.sigkill(List.of(cluster.member("n1")));
            await("n2 halts in its takeover", () -> ChildProcesses.find(n2.pid(), n2.config()).isEmpty());
            String n2Log = cluster.log("n2");
            assertTrue(n2Log.contains("fault injected (" + TakeoverFault.HALT_PROPERTY + "=" + point.key() + ")"),
                    "n2 halted at the injected point, not for another reason");
            long fenced = lastFencedEpoch(n2Log);
            assertTrue(fenced > epoch, "n2 fenced the volume past n1's epoch " + epoch + " before it died: " + fenced);
            if (point == TakeoverFault.Point.RECOVERED) {
                assertTrue(n2Log.contains("takeover of volume 1 by n2 done"), "n2 died after its engine work");
            }
            assertEquals(0, cluster.nodes("ACTIVE").size(), "no node serves");

            // 2. both nodes started again, without the fault: n1 recovers over the half-done takeover
            long restartedAt = System.nanoTime();
            LocalClusterTest.Run up = cluster.upAgain();
            assertTrue(up.out().contains("n1 ACTIVE") && up.out().contains("n2 STANDBY"), up.out());
            long recovered = cluster.epoch("n1");
            // a higher epoch than before; at least n2's fence (a lower one could not write). It is n2's epoch itself
            // when n2 halted before storing it (point fenced): the fence is idempotent and the history does not have
            // it; n2 wrote nothing at it, so nothing of it is reused (docs/failover.md, failure modes)
            assertTrue(recovered > epoch && recovered >= fenced, "n1 recovers at an epoch above its old " + epoch
                    + " and not below n2's fence " + fenced + ": " + recovered);
            if (point == TakeoverFault.Point.RECOVERED) {
                assertTrue(recovered > fenced, "n2 stored epoch " + fenced + " in META; n1 must go above it: "
                        + recovered);
            }
            assertEquals(1, cluster.nodes("ACTIVE").size(), "exactly one active");
            await("the clients commit on n1 again", () -> w.commitsAfter(restartedAt) >= COMMITS_AFTER);
            BankAuditWorkload.Check afterRestart = w.check();
            String line = String.format("n1 killed after %d commits at epoch %d; n2 halted at '%s' having fenced to"
                    + " epoch %d; restarted, n1 ACTIVE at epoch %d; %s", warm, epoch, point.key(), fenced, recovered,
                    afterRestart);
            cluster.println(line);
            afterRestart.assertIntact(line);

            // 3. the restarted standby takes over for real
            cluster.awaitStandbyFollowing();
            long again = w.commits() + 100;
            await("the workload commits", () -> w.commits() >= again);
            long killedAt = System.nanoTime();
            cluster.sigkill(List.of(cluster.member("n1")));
            await("the restarted n2 takes over", () -> "ACTIVE".equals(cluster.named("n2").role()));
            await("the clients commit on n2", () -> w.commitsAfter(killedAt) >= COMMITS_AFTER);
            long last = cluster.epoch("n2");
            assertTrue(last > recovered, "n2 takes over at a higher epoch than " + recovered + ": " + last);
            assertEquals(1, cluster.nodes("ACTIVE").size(), "exactly one active");
            w.close();
            BankAuditWorkload.Check end = w.check();
            String endLine = String.format("then n1 killed again: n2 ACTIVE at epoch %d (takeover %s); %s;"
                            + " %d reconnects", last, cluster.named("n2").details().get("takeover_mode"), end,
                    w.reconnects());
            cluster.println(endLine);
            end.assertIntact(endLine);
        }
    }

    /** The epoch of the last "volume fenced to epoch E" line of a takeover's log. */
    private static long lastFencedEpoch(String log) {
        Matcher m = FENCED_TO.matcher(log);
        long epoch = -1;
        while (m.find()) {
            epoch = Long.parseLong(m.group(1));
        }
        assertTrue(epoch >= 0, "no takeover step fence in the log");
        return epoch;
    }
}
