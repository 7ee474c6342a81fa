package io.cacdb.server.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.server.ha.FailureDetector.Verdict;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decision table, one test per row; then the detector's bookkeeping of times that feeds it. */
class FailureDetectorTest {

    static final HaConfig CONFIG = HaConfig.defaults();
    static final long MS = 1_000_000L;

    @Test
    void rowStorageUnreachableDecidesNothing() {
        for (boolean hb : new boolean[] {true, false}) {
            for (boolean renewed : new boolean[] {true, false}) {
                for (boolean released : new boolean[] {true, false}) {
                    assertEquals(Verdict.STORAGE_UNREACHABLE, Verdict.decide(false, hb, renewed, released));
                }
            }
        }
    }

    @Test
    void rowHealthy() {
        assertEquals(Verdict.HEALTHY, Verdict.decide(true, true, true, false));
    }

    @Test
    void rowHeartbeatsLostLeaseRenewedIsACutLinkNotAFailure() {
        assertEquals(Verdict.HEARTBEATS_LOST, Verdict.decide(true, false, true, false));
        assertFalse(Verdict.HEARTBEATS_LOST.takeOver());
    }

    @Test
    void rowHeartbeatsWithoutRenewalsWaitsForTheActiveToStop() {
        assertEquals(Verdict.LEASE_STALE, Verdict.decide(true, true, false, false));
        assertFalse(Verdict.LEASE_STALE.takeOver());
    }

    @Test
    void rowReleasedWhileHeartbeatsStillArriveWaits() {
        assertEquals(Verdict.LEASE_STALE, Verdict.decide(true, true, true, true));
        assertEquals(Verdict.LEASE_STALE, Verdict.decide(true, true, false, true));
    }

    @Test
    void rowExpired() {
        assertEquals(Verdict.EXPIRED, Verdict.decide(true, false, false, false));
        assertTrue(Verdict.EXPIRED.takeOver());
    }

    @Test
    void rowReleased() {
        assertEquals(Verdict.RELEASED, Verdict.decide(true, false, true, true));
        assertEquals(Verdict.RELEASED, Verdict.decide(true, false, false, true));
        assertTrue(Verdict.RELEASED.takeOver());
    }

    private static Optional<LeaseStore.Stored> lease(long seq) {
        return Optional.of(new LeaseStore.Stored(new LeaseRecord("n1", 1, "h:1", 500, false), seq));
    }

    @Test
    void expiresOnlyAfterTheLeaseWithoutANewSequenceAndWithoutHeartbeats() {
        long t = 1_000 * MS;
        FailureDetector d = new FailureDetector(CONFIG, t);
        d.leaseRead(t, lease(5));
        d.heartbeat(t);
        assertEquals(Verdict.HEALTHY, d.verdict(t));
        // the same sequence, read again and again: the lease is judged from when it was FIRST seen
        for (long at = t + 50 * MS; at <= t + 450 * MS; at += 50 * MS) {
            d.leaseRead(at, lease(5));
            d.heartbeat(at);
        }
        assertEquals(Verdict.HEALTHY, d.verdict(t + 500 * MS));
        d.leaseRead(t + 550 * MS, lease(5));
        assertEquals(Verdict.LEASE_STALE, d.verdict(t + 550 * MS), "heartbeats still arrive");
        // heartbeats stop at t + 450 ms
        d.leaseRead(t + 960 * MS, lease(5));
        assertEquals(Verdict.EXPIRED, d.verdict(t + 960 * MS));
        // a renewal appears: fresh again from the read that saw it
        d.leaseRead(t + 1_000 * MS, lease(6));
        assertEquals(Verdict.HEARTBEATS_LOST, d.verdict(t + 1_000 * MS));
        assertEquals(t + 1_000 * MS, d.leaseChangedAtNanos());
        assertEquals(6, d.lastSequence());
    }

    @Test
    void readQuorumsAlternatingBetweenTwoSequencesAreNotRenewals() {
        // the dying active's last renewal (sequence 8) reached fewer than W replicas: some read quorums see it,
        // others still see 7. That is one renewal, first seen at t + 20 ms, not a renewal at every alternation.
        long t = 0;
        FailureDetector d = new FailureDetector(CONFIG, t);
        d.leaseRead(t, lease(7));
        d.leaseRead(t + 20 * MS, lease(8));
        for (long at = t + 70 * MS; at <= t + 520 * MS; at += 50 * MS) {
            d.leaseRead(at, lease(((at / MS) / 50) % 2 == 0 ? 7 : 8));
        }
        assertEquals(8, d.lastSequence());
        assertEquals(t + 20 * MS, d.leaseChangedAtNanos());
        d.leaseRead(t + 530 * MS, lease(7));
        assertEquals(Verdict.EXPIRED, d.verdict(t + 530 * MS), "no heartbeats, no renewal since 20 ms");
    }

    @Test
    void noLeaseAtAllCountsFromTheStartOfWatching() {
        long t = 5 * MS;
        FailureDetector d = new FailureDetector(CONFIG, t);
        d.leaseRead(t + 10 * MS, Optional.empty());
        assertEquals(Verdict.HEARTBEATS_LOST, d.verdict(t + 10 * MS));
        d.leaseRead(t + 510 * MS, Optional.empty());
        assertEquals(Verdict.EXPIRED, d.verdict(t + 510 * MS));
        assertEquals(0, d.lastSequence());
    }

    @Test
    void unreadableLeaseBlocksTheVerdict() {
        long t = 0;
        FailureDetector d = new FailureDetector(CONFIG, t);
        assertEquals(Verdict.STORAGE_UNREACHABLE, d.verdict(t), "never read");
        d.leaseRead(t, lease(1));
        long staleAfter = Math.max(CONFIG.leasePollInterval().multipliedBy(4).toNanos(),
                CONFIG.leaseDuration().toNanos() / 2);
        assertEquals(Verdict.STORAGE_UNREACHABLE, d.verdict(t + staleAfter + 1),
                "reads failing since: the standby cannot tell an expired lease from its own isolation");
        d.leaseRead(t + Duration.ofSeconds(2).toNanos(), lease(1));
        assertEquals(Verdict.EXPIRED, d.verdict(t + Duration.ofSeconds(2).toNanos()));
    }

    @Test
    void releasedLeaseTakesOverOnceHeartbeatsStop() {
        long t = 0;
        FailureDetector d = new FailureDetector(CONFIG, t);
        d.heartbeat(t);
        d.leaseRead(t, Optional.of(new LeaseStore.Stored(new LeaseRecord("n1", 1, "", 500, true), 9)));
        assertEquals(Verdict.LEASE_STALE, d.verdict(t + MS));
        long later = t + CONFIG.heartbeatTimeout().toNanos() + MS;
        d.leaseRead(later, Optional.of(new LeaseStore.Stored(new LeaseRecord("n1", 1, "", 500, true), 9)));
        assertEquals(Verdict.RELEASED, d.verdict(later));
    }

    @Test
    void anEndedLinkStopsHeartbeatsAtOnceButTheLeaseStillDecides() {
        long t = 0;
        FailureDetector d = new FailureDetector(CONFIG, t);
        d.heartbeat(t);
        d.leaseRead(t, lease(3));
        d.linkEnded();
        assertEquals(Verdict.HEARTBEATS_LOST, d.verdict(t + MS), "lease renewed: no takeover however the link ended");
        d.leaseRead(t + 2 * MS, Optional.of(new LeaseStore.Stored(new LeaseRecord("n1", 1, "", 500, true), 4)));
        assertEquals(Verdict.RELEASED, d.verdict(t + 2 * MS), "released and the link ended: no heartbeat timeout wait");
        d.heartbeat(t + 3 * MS);
        assertEquals(Verdict.LEASE_STALE, d.verdict(t + 3 * MS), "a heartbeat after the end: fresh again");
    }
}
