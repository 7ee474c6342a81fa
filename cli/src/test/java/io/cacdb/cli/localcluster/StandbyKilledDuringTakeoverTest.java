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
 * The standby killed during its own takeover, for real: {@code cluster up}, the pgjdbc bank-transfer + audit
 * workload, the standby's JVM started again told to halt at a point of its takeover ({@link TakeoverFault},
 * {@code -Dcacdb.fault.halt-in-takeover}: {@code Runtime.halt}, a process death at an exact step instead of a timer's
 * race), SIGKILL of the active; the standby starts its takeover and dies at the point, one of these chosen from the
 * seed (swarm testing: each run pays for one cluster; {@code -Dcacdb.seed} reproduces the choice):
 * <ul>
 *   <li>{@code fenced}: the volume fenced to its epoch, nothing else written;</li>
 *   <li>{@code recovered}: the new epoch in META, its log begun, the losers rolled back with CLRs under it, the
 *       checkpointer started — but no lease taken and no client served.</li>
 * </ul>
 * Then {@code cluster up} (without the fault) starts both nodes again, as an operator would: n1 (role auto) finds no
 * live lease, fences and recovers — over the half-done takeover's epoch — and n2 rejoins as its standby. Nodes are
 * told apart by role, not name (a CPU-starved node can lose its lease right after start). Exactly one node is active,
 * at a higher epoch, every acknowledged commit is present and the bank total holds. Finally the restarted standby
 * proves it follows for real: the active is killed again, it takes over, and the checks hold again.
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
        cluster = new ProcessCluster(test, tmp.resolve("halt-" + point.key())).up();
        try (BankAuditWorkload w = new BankAuditWorkload(cluster.clientUrl(), WORKERS, seed)) {
            w.setUp();
            w.start();
            // only the standby gets the fault: it is started again with it
            String active = cluster.awaitActiveWithStandby();
            String standby = cluster.standbyName();
            cluster.restartNodeWith(standby, List.of("-D" + TakeoverFault.HALT_PROPERTY + "=" + point.key()));
            assertEquals(active, cluster.awaitActiveWithStandby(), "the active stays while its standby restarts");
            long epoch = cluster.epoch(active);
            long warm = w.commits() + 100 + new SplittableRandom(seed).nextInt(400);
            await("the workload commits", () -> w.commits() >= warm);

            // 1. the active dies; the standby starts its takeover and halts at the point
            ClusterState.Member halting = cluster.member(standby);
            cluster.sigkill(List.of(cluster.member(active)));
            await(standby + " halts in its takeover",
                    () -> ChildProcesses.find(halting.pid(), halting.config()).isEmpty());
            String haltedLog = cluster.log(standby);
            assertTrue(haltedLog.contains("fault injected (" + TakeoverFault.HALT_PROPERTY + "=" + point.key()
                    + ")"), standby + " halted at the injected point, not for another reason");
            long fenced = lastFencedEpoch(haltedLog);
            assertTrue(fenced > epoch, standby + " fenced the volume past the active's epoch " + epoch
                    + " before it died: " + fenced);
            if (point == TakeoverFault.Point.RECOVERED) {
                assertTrue(haltedLog.contains("takeover of volume 1 by " + standby + " done"),
                        standby + " died after its engine work");
            }
            assertEquals(0, cluster.nodes("ACTIVE").size(), "no node serves");

            // 2. both nodes started again, without the fault: the one with role auto (n1) recovers over the
            // half-done takeover, the other rejoins as its standby
            long restartedAt = System.nanoTime();
            cluster.upAgain();
            String recoveredBy = cluster.awaitActiveWithStandby();
            long recovered = cluster.epoch(recoveredBy);
            // a higher epoch than before; at least the halted node's fence (a lower one could not write). It is that
            // fence's epoch itself when the node halted before storing it (point fenced): the fence is idempotent and
            // the history does not have it; nothing was written at it (docs/failover.md, failure modes)
            assertTrue(recovered > epoch && recovered >= fenced, recoveredBy + " recovers at an epoch above the old "
                    + epoch + " and not below the fence " + fenced + ": " + recovered);
            if (point == TakeoverFault.Point.RECOVERED) {
                assertTrue(recovered > fenced, "epoch " + fenced + " was stored in META; the recovery must go above"
                        + " it: " + recovered);
            }
            assertEquals(1, cluster.nodes("ACTIVE").size(), "exactly one active");
            await("the clients commit again", () -> w.commitsAfter(restartedAt) >= COMMITS_AFTER);
            BankAuditWorkload.Check afterRestart = w.check();
            String line = String.format("%s killed after %d commits at epoch %d; %s halted at '%s' having fenced to"
                    + " epoch %d; both restarted, %s ACTIVE at epoch %d; %s", active, warm, epoch, standby,
                    point.key(), fenced, recoveredBy, recovered, afterRestart);
            cluster.println(line);
            afterRestart.assertIntact(line);

            // 3. the restarted standby takes over for real
            long again = w.commits() + 100;
            await("the workload commits", () -> w.commits() >= again);
            String serving = cluster.awaitActiveWithStandby();
            String follower = cluster.standbyName();
            long killedAt = System.nanoTime();
            cluster.sigkill(List.of(cluster.member(serving)));
            await(follower + " takes over", () -> "ACTIVE".equals(cluster.named(follower).role()));
            await("the clients commit on " + follower, () -> w.commitsAfter(killedAt) >= COMMITS_AFTER);
            long last = cluster.epoch(follower);
            assertTrue(last > recovered, follower + " takes over at a higher epoch than " + recovered + ": " + last);
            assertEquals(1, cluster.nodes("ACTIVE").size(), "exactly one active");
            w.close();
            BankAuditWorkload.Check end = w.check();
            String endLine = String.format("then %s killed: %s ACTIVE at epoch %d (takeover %s); %s; %d reconnects",
                    serving, follower, last, cluster.named(follower).details().get("takeover_mode"), end,
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
