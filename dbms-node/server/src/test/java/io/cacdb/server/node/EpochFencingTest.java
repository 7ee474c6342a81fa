package io.cacdb.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.client.QuorumNotReachedException;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.dax.transport.NetworkConditions;
import io.cacdb.server.ha.EpochClaim;
import io.cacdb.server.ha.TakeoverStorage;
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
            assertEquals(1, EpochFencing.createAndFence(client, 71, "n1", Duration.ofSeconds(30)),
                    "the volume exists");
        }
    }

    @Test
    void givesUpOnceItsBoundHasPassed() {
        NetworkConditions net = NetworkConditions.none();
        cutOffAll(net);
        try (DaxClient client = DaxClient.create(dax.clusterMap(), DaxClientConfig.builder("a").build(),
                new SimpleMeterRegistry(), net)) {
            long started = System.nanoTime();
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> EpochFencing.createVolume(client, 72, Duration.ofMillis(500)));
            // the last attempt's quorum failure, or the bound running out while it waited
            assertTrue(e instanceof QuorumNotReachedException || e.getMessage().contains("did not finish within"),
                    e.toString());
            assertTrue(System.nanoTime() - started >= Duration.ofMillis(400).toNanos(),
                    "it kept trying for most of its bound");
        }
    }

    private static long failedCreates(SimpleMeterRegistry registry) {
        Timer t = registry.find("cacdb.dax.client.quorum").tag("op", "create").tag("outcome", "error").timer();
        return t == null ? 0 : t.count();
    }

    @Test
    void twoNodesThatFenceToTheSameEpochCannotBothClaimIt() {
        // what two nodes that both saw the lease run out did before epochs were claimed: both fenced to one epoch (a
        // fence to the current epoch is accepted) and both served at it, their log blocks colliding
        try (DaxClient a = DaxClient.create(dax.clusterMap(), DaxClientConfig.builder("a").build(),
                new SimpleMeterRegistry());
             DaxClient b = DaxClient.create(dax.clusterMap(), DaxClientConfig.builder("b").build(),
                     new SimpleMeterRegistry())) {
            assertEquals(1, EpochFencing.createAndFence(a, 73, "n1", Duration.ofSeconds(30)));
            // a takeover at the epoch n1 claimed: refused, and remembered by the caller
            EpochClaim.EpochClaimedException lost = assertThrows(EpochClaim.EpochClaimedException.class,
                    () -> TakeoverStorage.dax(b, 73, "n2", () -> 0).fence(1, Duration.ofSeconds(30)));
            assertEquals(1, lost.epoch());
            assertTrue(lost.getMessage().contains("epoch 1 of volume 73 is claimed by another node"),
                    lost.getMessage());
            // with that floor the next takeover fences above it (n1 might have died before storing its epoch)
            assertEquals(2, TakeoverStorage.dax(b, 73, "n2", lost::epoch).fence(1, Duration.ofSeconds(30)));
            // a starting node (history still says 0) steps over the claimed epochs by itself
            assertEquals(3, EpochFencing.createAndFence(a, 73, "n3", Duration.ofSeconds(30)));
        }
    }
}
