package io.cacdb.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.client.QuorumNotReachedException;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.dax.transport.NetworkConditions;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A starting node's first storage step, creating the volume, on a real in-process DAX cluster whose servers the
 * node's client cannot reach yet: the step keeps trying for as long as its bound (storage-open-timeout) and succeeds
 * once the servers answer, instead of failing the start after one request timeout (seen as
 * {@code StandbyKilledDuringTakeoverTest} failing at {@code cluster up} on a loaded machine: every server's first
 * CREATE_VOLUME timed out after 2 s).
 */
class EpochFencingTest {

    static LocalDaxCluster dax;

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

    private static void cutOffAll(NetworkConditions net) {
        for (ServerInfo s : dax.clusterMap().servers()) {
            net.cutOff(s.id());
        }
    }

    @Test
    void creatingTheVolumeWaitsForServersThatDoNotAnswerYet() throws Exception {
        NetworkConditions net = NetworkConditions.none();
        cutOffAll(net);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (DaxClient client = DaxClient.create(dax.clusterMap(), DaxClientConfig.builder("a").build(), registry,
                net)) {
            CompletableFuture<Void> created = CompletableFuture.runAsync(
                    () -> EpochFencing.createVolume(client, 71, Duration.ofSeconds(60)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (failedCreates(registry) < 2) {
                assertFalse(System.nanoTime() > deadline, "no failed attempts to create the volume within 60 s");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertFalse(created.isDone(), "the step keeps trying: " + created);
            net.healAll();
            created.get(60, TimeUnit.SECONDS);
            assertEquals(1, EpochFencing.createAndFence(client, 71, Duration.ofSeconds(30)), "the volume exists");
        }
    }

    @Test
    void givesUpOnceItsBoundHasPassed() {
        NetworkConditions net = NetworkConditions.none();
        cutOffAll(net);
        try (DaxClient client = DaxClient.create(dax.clusterMap(), DaxClientConfig.builder("a").build(),
                new SimpleMeterRegistry(), net)) {
            assertThrows(QuorumNotReachedException.class,
                    () -> EpochFencing.createVolume(client, 72, Duration.ofMillis(500)));
        }
    }

    private static long failedCreates(SimpleMeterRegistry registry) {
        Timer t = registry.find("cacdb.dax.client.quorum").tag("op", "create").tag("outcome", "error").timer();
        return t == null ? 0 : t.count();
    }
}
