package io.cacdb.server.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.volume.MemoryVolume;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The active's lease with a controlled clock: renewals, the serving deadline, fencing, release. */
class ActiveLeaseTest {

    static final HaConfig CONFIG = HaConfig.defaults(); // 500 ms lease, renew every 100 ms, 100 ms guard

    final MockClock clock = new MockClock();
    final MemoryVolume storage = new MemoryVolume(3);
    final ScriptedVolume volume = new ScriptedVolume(storage);
    final List<String> lost = new ArrayList<>();

    ActiveLease lease() {
        return new ActiveLease(volume, new LeaseRecord("n1", 1, "127.0.0.1:9", 500, false), CONFIG, clock,
                new SimpleMeterRegistry(), lost::add);
    }

    void advance(long millis) {
        clock.add(millis, TimeUnit.MILLISECONDS);
    }

    @Test
    void acquireWritesTheNextSequenceAndRenewalsKeepItHeld() throws Exception {
        LeaseStore.write(storage, new LeaseRecord("n0", 1, "", 500, false), 41).get();
        ActiveLease lease = lease();
        lease.acquire();
        assertEquals(41 + ActiveLease.ACQUIRE_SEQUENCE_GAP, lease.sequence(),
                "far above the stored sequence: the old holder's half-written renewals are never rewritten");
        assertTrue(lease.holds());
        assertEquals(Duration.ofMillis(400), lease.remaining(), "lease minus guard from the sending time");
        for (int i = 0; i < 20; i++) {
            advance(100);
            lease.tick();
            assertTrue(lease.holds(), "renewed every 100 ms, at step " + i);
        }
        assertEquals(61 + ActiveLease.ACQUIRE_SEQUENCE_GAP, lease.sequence());
        LeaseStore.Stored stored = LeaseStore.read(storage).get().orElseThrow();
        assertEquals(61 + ActiveLease.ACQUIRE_SEQUENCE_GAP, stored.sequence());
        assertEquals("n1", stored.lease().holder());
        assertEquals("127.0.0.1:9", stored.lease().haEndpoint());
        assertTrue(lost.isEmpty());
    }

    @Test
    void renewalsThatDoNotCompleteEndServingAtSendTimePlusLeaseMinusGuard() {
        ActiveLease lease = lease();
        lease.acquire(); // sent at 0: serves until 400 ms
        volume.hold(true);
        advance(100);
        lease.tick(); // renewal sent at 100 ms, held by storage
        assertEquals(1, volume.heldCount());
        advance(100);
        lease.tick(); // 200 ms: a second renewal while the first is in flight
        advance(100);
        lease.tick(); // 300 ms: a third
        assertEquals(ActiveLease.RENEWALS_IN_FLIGHT_MAX, volume.heldCount());
        advance(50);
        lease.tick(); // 350 ms: no fourth while three are in flight
        assertEquals(ActiveLease.RENEWALS_IN_FLIGHT_MAX, volume.heldCount());
        assertTrue(lease.holds());
        advance(49);
        lease.tick();
        assertTrue(lease.holds(), "399 ms");
        advance(1);
        assertFalse(lease.holds(), "400 ms: serving is over even before the lease thread notices");
        lease.tick();
        assertEquals(ActiveLease.State.LOST, lease.state());
        assertEquals(1, lost.size(), lost.toString());
        assertTrue(lost.getFirst().contains("not renewed in time"), lost.getFirst());
        // the held renewal completing now changes nothing
        volume.releaseHeld();
        lease.tick();
        assertFalse(lease.holds());
        assertEquals(1, lost.size(), "told once");
    }

    @Test
    void aSlowRenewalDoesNotHoldBackTheNext() {
        ActiveLease lease = lease();
        lease.acquire(); // sent at 0: serves until 400 ms
        volume.hold(true);
        advance(100);
        lease.tick(); // sent at 100 ms, stuck in a slow replica quorum
        volume.hold(false);
        advance(100);
        lease.tick(); // sent at 200 ms while the first is still in flight, acknowledged at once: until 600 ms
        assertEquals(1, volume.heldCount());
        advance(250);
        assertTrue(lease.holds(), "450 ms: held by the second renewal although the first never came back");
        assertEquals(Duration.ofMillis(150), lease.remaining());
        assertTrue(lost.isEmpty());
        volume.releaseHeld();
    }

    @Test
    void aRenewalAcknowledgedLateDoesNotExtendTheLease() {
        ActiveLease lease = lease();
        lease.acquire();
        volume.hold(true);
        advance(100);
        lease.tick(); // sent at 100: would give until 500, if acknowledged by then
        advance(350);
        lease.tick();
        assertFalse(lease.holds(), "450 ms: the lease from 0 is over");
        assertEquals(ActiveLease.State.LOST, lease.state());
        volume.releaseHeld();
        assertFalse(lease.holds());
    }

    @Test
    void aRenewalAcknowledgedInTimeCountsFromItsSendingTime() {
        ActiveLease lease = lease();
        lease.acquire();
        volume.hold(true);
        advance(100);
        lease.tick(); // sent at 100
        advance(250);
        volume.releaseHeld(); // acknowledged at 350: serves until 100 + 400 = 500
        assertEquals(Duration.ofMillis(150), lease.remaining());
        volume.hold(false);
        lease.tick(); // a new renewal at 350
        assertEquals(Duration.ofMillis(400), lease.remaining());
    }

    @Test
    void aRenewalMeetingAHigherEpochLosesTheLeaseAtOnce() {
        ActiveLease lease = lease();
        lease.acquire();
        volume.fencedTo(2);
        advance(100);
        lease.tick(); // the renewal fails with StaleEpochException
        assertFalse(lease.holds(), "fenced: lost before it would have run out");
        lease.tick();
        assertEquals(1, lost.size());
        assertTrue(lost.getFirst().contains("fenced"), lost.getFirst());
    }

    @Test
    void failedRenewalsAreRetriedAndTheLeaseSurvivesAShortOutage() {
        ActiveLease lease = lease();
        lease.acquire();
        volume.cutOff(true);
        for (int i = 0; i < 3; i++) {
            advance(100);
            lease.tick();
        }
        assertTrue(lease.holds(), "300 ms without renewals");
        volume.cutOff(false);
        advance(50);
        lease.tick();
        assertTrue(lease.holds());
        assertEquals(Duration.ofMillis(400), lease.remaining(), "renewed at 350");
        assertTrue(lost.isEmpty());
    }

    @Test
    void acquireFailsWhenFencedAndReleaseMarksTheLeaseReleased() throws Exception {
        volume.fencedTo(5);
        assertThrows(LeaseException.class, lease()::acquire);
        ScriptedVolume current = volume.fencedTo(5);
        ActiveLease lease = new ActiveLease(current, new LeaseRecord("n2", 5, "", 500, false), CONFIG, clock,
                new SimpleMeterRegistry(), lost::add);
        lease.acquire();
        lease.release();
        assertEquals(ActiveLease.State.RELEASED, lease.state());
        assertFalse(lease.holds());
        LeaseStore.Stored stored = LeaseStore.read(storage).get().orElseThrow();
        assertTrue(stored.lease().released());
        assertEquals("n2", stored.lease().holder());
        assertTrue(lost.isEmpty(), "a release is not a loss");
    }

    @Test
    void theRenewingThreadRenewsOnTheRealClock() throws Exception {
        ActiveLease lease = new ActiveLease(volume, new LeaseRecord("n1", 1, "", 500, false), CONFIG,
                io.micrometer.core.instrument.Clock.SYSTEM, new SimpleMeterRegistry(), lost::add);
        lease.acquire();
        lease.start();
        long first = lease.sequence();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (lease.sequence() < first + 3 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(lease.sequence() >= first + 3, "renewed by its thread: " + lease.sequence());
        assertTrue(lease.holds());
        lease.close();
        assertEquals(ActiveLease.State.CLOSED, lease.state());
    }
}
