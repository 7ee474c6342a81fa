package io.cacdb.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.engine.Engine;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.volume.DaxVolume;
import io.cacdb.engine.volume.VolumeReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standby on a real local DAX cluster (9 RocksDB servers in 3 zones, N = 6, W = 4, R = 3): the active engine in
 * zone a, the standby with its own DAX client in zone b. The standby replays the live workload to the active's
 * contents; its client never sends a write, fence, truncation or repair; and while only standbys run (the active
 * closed), the servers' write counters do not move.
 */
class DaxClusterReplayTest {

    static final long VOLUME = 111;
    static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void standbyReplaysFromDaxAndNeverWrites(@TempDir Path dir) throws Exception {
        SplittableRandom r = new SplittableRandom(TestSeeds.seed("DaxClusterReplayTest"));
        SimpleMeterRegistry standbyClientMetrics = new SimpleMeterRegistry();
        try (LocalDaxCluster servers = LocalDaxCluster.start(
                LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir.resolve("dax")));
             DaxClient standbyClient = DaxClient.create(servers.clusterMap(), DaxClientConfig.defaults("b"),
                     standbyClientMetrics)) {
            DaxClient activeClient = DaxClient.create(servers.clusterMap(), DaxClientConfig.defaults("a"),
                    new SimpleMeterRegistry());
            activeClient.createVolume(VOLUME).get(30, TimeUnit.SECONDS);
            activeClient.fence(VOLUME, 1).get(30, TimeUnit.SECONDS);
            VolumeReader standbyVolume = DaxVolume.reader(standbyClient, VOLUME);
            Map<Long, Map<String, String>> live;
            long end;
            try (StandbyFixture s = StandbyFixture.started(standbyVolume, StandbyConfig.defaults().withFrames(512))) {
                try (Engine engine = Engine.open(DaxVolume.writer(activeClient, VOLUME, 1),
                        EngineConfig.defaults().withBufferPoolFrames(128), new SimpleMeterRegistry(),
                        s.replayer.asSupplier())) {
                    Workload w = new Workload(engine, r, 3);
                    w.run(120, 6, 0.2, 0.02);
                    w.awaitDurable();
                    end = engine.logWriter().durableLsn();
                    assertTrue(s.replayer.awaitReplayed(end, WAIT), "caught up to " + end + " over DAX");
                    live = Contents.of(engine.pageSource());
                    assertEquals(live, Contents.of(s.replayer.pages()), "the standby's contents over DAX");
                    assertEquals(w.model(), Contents.indexes(s.replayer.pages()));
                    System.out.println("DaxClusterReplayTest: " + w.commits + " commits, end " + end + "; "
                            + s.replayer.stats() + "; lag " + s.replayer.lag());
                }
                activeClient.close();
                // Only the standby runs from here: it replays the active's final flush and checkpoint records.
                long writesBefore = serverWrites(servers);
                assertTrue(writesBefore > 0, "the active wrote through the servers");
                SimpleMeterRegistry secondMetrics = new SimpleMeterRegistry();
                try (DaxClient secondClient = DaxClient.create(servers.clusterMap(), DaxClientConfig.defaults("c"),
                        secondMetrics);
                     StandbyFixture second = StandbyFixture.started(DaxVolume.reader(secondClient, VOLUME),
                             StandbyConfig.defaults().withFrames(256))) {
                    long finalEnd = io.cacdb.engine.wal.LogEnd.find(standbyVolume,
                            new io.cacdb.engine.wal.LogRecordCodec(io.cacdb.engine.page.PageOps::decode),
                            io.cacdb.engine.wal.MetaRecords.epochHistory(standbyVolume).get(30, TimeUnit.SECONDS),
                            0).endLsn();
                    assertTrue(s.replayer.awaitReplayed(finalEnd, WAIT), "the first standby replays the close");
                    assertTrue(second.replayer.awaitReplayed(finalEnd, WAIT), "a second standby from the checkpoint");
                    assertEquals(live, Contents.of(second.replayer.pages()));
                    assertEquals(live, Contents.of(s.replayer.pages()));
                    second.checkNeverWroteAndNeverEvictedUnsafe();
                    assertNoWrites(secondMetrics, "second standby's client");
                }
                assertEquals(writesBefore, serverWrites(servers), "DAX servers took no write while only standbys ran");
                s.checkNeverWroteAndNeverEvictedUnsafe();
            }
            assertNoWrites(standbyClientMetrics, "standby's client");
        }
    }

    /** No write, fence, truncation, volume creation or repair sent by this client. */
    private static void assertNoWrites(MeterRegistry metrics, String who) {
        for (String op : new String[] {"write", "fence", "delete", "create"}) {
            for (Timer t : metrics.find("cacdb.dax.client.quorum").tag("op", op).timers()) {
                assertEquals(0, t.count(), who + ": " + op + " operations");
            }
        }
        for (Counter c : metrics.find("cacdb.dax.client.read.repairs").counters()) {
            assertEquals(0, c.count(), who + ": read repairs");
        }
        for (Counter c : metrics.find("cacdb.dax.client.antientropy.repairs").counters()) {
            assertEquals(0, c.count(), who + ": anti-entropy repairs");
        }
    }

    /** WRITE, FENCE and DELETE_BELOW requests the servers answered, all statuses. */
    private static long serverWrites(LocalDaxCluster servers) {
        long n = 0;
        for (String id : servers.serverIds()) {
            MeterRegistry reg = servers.server(id).registry();
            for (String op : new String[] {"WRITE", "FENCE", "DELETE_BELOW"}) {
                for (Timer t : reg.find("cacdb.dax.server.requests").tag("op", op).timers()) {
                    n += t.count();
                }
            }
        }
        return n;
    }
}
