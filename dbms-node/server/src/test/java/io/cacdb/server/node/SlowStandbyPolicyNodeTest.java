package io.cacdb.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.replay.StandbyReplayer;
import io.cacdb.replay.policy.SlowStandbyPolicy;
import io.cacdb.replay.prefetch.ReadIoConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The node's {@code slow-standby-policy} and {@code read-io-threads} reach its standby, and each policy behaves as
 * DESIGN §6 says while the standby is slow (its storage reads cross zones with a 20 ms one-way delay, the active's
 * do not) under a steady insert load:
 * <ul>
 *   <li>{@code increase-read-io}: the replay read-IO limit rises above its floor with the lag, and the active keeps
 *       the log the standby has not replayed (its retention floor is the standby's replayed LSN);</li>
 *   <li>{@code active-wait}: the read-IO limit stays at the configured fixed value, and the active keeps the log;</li>
 *   <li>{@code unsafe-eviction}: a fixed limit, and the standby publishes no floor, so the active keeps nothing for
 *       it.</li>
 * </ul>
 */
class SlowStandbyPolicyNodeTest {

    static LocalDaxCluster dax;
    @org.junit.jupiter.api.io.TempDir
    static Path dir;
    static final Duration BOUND = Duration.ofSeconds(60);
    /** The standby's reads are slow; the active's are not (it is configured without a delay). */
    static final long STANDBY_ZONE_DELAY_MILLIS = 20;
    /** The fixed read-IO limit the two non-adaptive policies are given. */
    static final int FIXED_READ_IO = 4;

    final List<Node> nodes = new ArrayList<>();

    @BeforeAll
    static void startDax() {
        dax = LocalDaxCluster.startInProcess();
    }

    @AfterAll
    static void stopDax() {
        if (dax != null) {
            dax.close();
        }
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(Node::close);
    }

    private Node start(String name, String zone, long volume, StartRole role, SlowStandbyPolicy policy, int readIo,
            long zoneDelayMillis) throws Exception {
        Path map = dir.resolve("cluster.map");
        ClusterMapFile.write(map, dax.clusterMap());
        // a 3 s lease: this is not about detection, and a starved machine must not fence the active mid-test
        NodeConfig c = FailoverTest.relaxedLease(NodeConfig.defaults(name, zone, map).withPorts(0, 0).withHaPort(0)
                .withBufferPoolBytes(16L << 20).withVolume(volume).withRole(role).withSlowStandby(policy, readIo)
                .withZoneDelayMillis(zoneDelayMillis));
        Node n = Node.start(c, SqlLayer.engineSql(), NodeFaults.none());
        nodes.add(n);
        return n;
    }

    @ParameterizedTest
    @EnumSource(SlowStandbyPolicy.class)
    void eachPolicyBehavesAsDesignedWhileTheStandbyIsSlow(SlowStandbyPolicy policy) throws Exception {
        long volume = 60 + policy.ordinal();
        int readIo = policy.adaptsReadIo() ? NodeConfig.READ_IO_THREADS_POLICY_DEFAULT : FIXED_READ_IO;
        Node active = start("n1", "a", volume, StartRole.AUTO, policy, readIo, 0);
        Node standby = start("n2", "b", volume, StartRole.STANDBY, policy, readIo, STANDBY_ZONE_DELAY_MILLIS);
        StandbyReplayer replayer = standby.replayer().orElseThrow();
        assertEquals(policy, replayer.config().policy(), "the node's policy reaches its replayer");

        AtomicBoolean stop = new AtomicBoolean();
        Thread load = Thread.ofPlatform().name("slow-standby-load").start(() -> insertUntil(active, stop));
        int highestLimit = 0;
        boolean floorHeldForStandby = false;
        boolean noFloor = true;
        try {
            long deadline = System.nanoTime() + BOUND.toNanos();
            boolean seen = false;
            while (!seen && System.nanoTime() < deadline && load.isAlive()) {
                highestLimit = Math.max(highestLimit, replayer.readIoLimit());
                long floor = activeFloor(active);
                long replayed = replayer.replayedLsn();
                long durable = active.database().orElseThrow().engine().logWriter().durableLsn();
                floorHeldForStandby |= floor > 0 && floor <= replayed && replayed < durable;
                noFloor &= floor == Long.MAX_VALUE || floor == 0; // 0: not heard yet
                seen = switch (policy) {
                    case INCREASE_READ_IO -> highestLimit > ReadIoConfig.IN_FLIGHT_MIN_DEFAULT && floorHeldForStandby;
                    case ACTIVE_WAIT -> floorHeldForStandby && replayer.lag().bytes() > 0;
                    // the active has heard the standby's status (so the missing floor is the policy, not silence)
                    case UNSAFE_EVICTION -> replayer.lag().bytes() > 0 && floor == Long.MAX_VALUE
                            && heardReplayLsn(active) > 0;
                };
                LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
            }
        } finally {
            stop.set(true);
            load.join(BOUND.toMillis());
        }
        String state = policy + ": highest read-IO limit " + highestLimit + ", floor held for the standby "
                + floorHeldForStandby + ", never a floor " + noFloor + ", lag " + replayer.lag();
        System.out.println("SlowStandbyPolicyNodeTest: " + state);
        switch (policy) {
            case INCREASE_READ_IO -> {
                assertTrue(highestLimit > ReadIoConfig.IN_FLIGHT_MIN_DEFAULT, state);
                assertTrue(floorHeldForStandby, state);
            }
            case ACTIVE_WAIT -> {
                assertEquals(FIXED_READ_IO, highestLimit, state);
                assertTrue(floorHeldForStandby, state);
            }
            case UNSAFE_EVICTION -> {
                assertEquals(FIXED_READ_IO, highestLimit, state);
                assertEquals(Long.MAX_VALUE, replayer.retentionFloorLsn(), state);
                assertTrue(noFloor, state);
                assertTrue(heardReplayLsn(active) > 0, "the active heard the standby: " + state);
            }
        }
    }

    /** The lowest floor the active heard from its standbys (the gauge of docs/operations.md). */
    private static long activeFloor(Node active) {
        double v = active.registry().get("cacdb.ha.retention_floor.lsn").gauge().value();
        return Double.isNaN(v) || v >= 9.0e18 ? Long.MAX_VALUE : (long) v;
    }

    /** The replayed LSN the active last heard from its standby; -1 before it heard one. */
    private static double heardReplayLsn(Node active) {
        return active.registry().get("cacdb.ha.standby.replay.lsn").gauge().value();
    }

    private static void insertUntil(Node active, AtomicBoolean stop) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + active.pgPort()
                + "/cacdb?sslmode=disable&connectTimeout=10&socketTimeout=30", "cacdb", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200) NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
                String pad = "x".repeat(190);
                for (int i = 0; !stop.get(); i++) {
                    ps.setInt(1, i);
                    ps.setString(2, pad);
                    ps.executeUpdate();
                }
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError("the insert load failed", e);
        }
    }
}
