package io.cacdb.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The failover measures on hand-built series: every definition of {@link FailoverMeasures} pinned down. */
class FailoverMeasuresTest {

    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    @Test
    void downtimeIsKillToTheFirstCommitAfterTheOutage() {
        long[] commits = {100 * MS, 900 * MS, 1_000 * MS, 3_250 * MS, 3_300 * MS};
        assertEquals(2_250 * MS, FailoverMeasures.downtimeNanos(commits, 1_000 * MS).orElseThrow(),
                "a commit exactly at the kill instant is before it");
        assertEquals(3_151 * MS, FailoverMeasures.downtimeNanos(commits, 99 * MS).orElseThrow(),
                "the commits just after the kill were answers in flight from the dying active: the outage is the"
                        + " 2.25 s pause after them");
        long[] inFlight = {500 * MS, 1_001 * MS, 1_002 * MS, 2_700 * MS, 2_750 * MS};
        assertEquals(1_700 * MS, FailoverMeasures.downtimeNanos(inFlight, 1_000 * MS).orElseThrow(),
                "not 1 ms: the unsafe-eviction run of 2026-11-21 reported 0 ms this way");
        assertTrue(FailoverMeasures.downtimeNanos(commits, 4 * S).isEmpty(), "nothing after the kill");
        assertTrue(FailoverMeasures.downtimeNanos(new long[0], 0).isEmpty());
    }

    @Test
    void longestGapCountsTheEdgesOfTheWindow() {
        long[] commits = {100 * MS, 200 * MS, 1_700 * MS, 1_800 * MS};
        assertEquals(1_500 * MS, FailoverMeasures.longestGapNanos(commits, 100 * MS, 2 * S));
        assertEquals(2_200 * MS, FailoverMeasures.longestGapNanos(commits, 100 * MS, 4 * S),
                "a run that stops committing has its tail as the gap");
        assertEquals(950 * MS, FailoverMeasures.longestGapNanos(commits, 1_750 * MS, 2_750 * MS),
                "commits outside the window are ignored");
        assertEquals(5 * S, FailoverMeasures.longestGapNanos(new long[0], 0, 5 * S));
        assertThrows(IllegalArgumentException.class, () -> FailoverMeasures.longestGapNanos(commits, 2, 1));
    }

    @Test
    void baselineAveragesTheLaterHalfBeforeTheKillAtMostThirtySeconds() {
        long[] perSecond = new long[100];
        Arrays.fill(perSecond, 0, 5, 10); // a warming start
        Arrays.fill(perSecond, 5, 100, 100);
        // kill at 10.5 s: the complete seconds 5..9 (the later half of 10)
        assertEquals(100.0, FailoverMeasures.baselinePerSecond(perSecond, 10_500 * MS).orElseThrow(), 1e-9);
        // kill at 80.2 s: the last 30 complete seconds, 50..79
        perSecond[79] = 400;
        assertEquals(110.0, FailoverMeasures.baselinePerSecond(perSecond, 80_200 * MS).orElseThrow(), 1e-9);
        // a kill in second 0 has no complete second before it
        assertTrue(FailoverMeasures.baselinePerSecond(perSecond, 500 * MS).isEmpty());
    }

    @Test
    void movingAverageNeverReachesBackBeforeTheKill() {
        long[] perSecond = {100, 100, 100, 0, 50, 100, 100};
        double[] ma = FailoverMeasures.postKillMovingAverage(perSecond, 2, 6);
        assertTrue(Double.isNaN(ma[2]), "the kill's own second has no post-kill average");
        assertEquals(0.0, ma[3], 1e-9);
        assertEquals(25.0, ma[4], 1e-9);
        assertEquals(250.0 / 4, ma[6], 1e-9);
        long[] longRun = new long[40];
        Arrays.fill(longRun, 10);
        longRun[25] = 110;
        double[] ten = FailoverMeasures.postKillMovingAverage(longRun, 5, 39);
        assertEquals(20.0, ten[25], 1e-9, "a full window is 10 seconds");
        assertEquals(10.0, ten[35], 1e-9, "second 25 has left the window");
    }

    @Test
    void timeToNinetyPercentIsTheEndOfTheFirstSecondThatReachesAndHolds() {
        long[] perSecond = new long[60];
        Arrays.fill(perSecond, 100);
        perSecond[20] = 40;  // the kill at 20.3 s
        perSecond[21] = 0;
        perSecond[22] = 30;  // running average of 21..22: 15
        perSecond[23] = 300; // of 21..23: 110 >= 90, and holds
        FailoverMeasures.Recovery r = FailoverMeasures.timeToRecovered(perSecond, 59, 20_300 * MS, 100);
        assertTrue(r.reached(), r.reason());
        assertEquals(23, r.atSecond());
        assertEquals(24_000 - 20_300, r.millis(), "kill to the end of second 23");
    }

    @Test
    void aDipAfterReachingRestartsTheHold() {
        long[] perSecond = new long[80];
        Arrays.fill(perSecond, 100);
        perSecond[20] = 0; // kill at 20.0 s, second 20 empty
        perSecond[30] = 0; // a stall inside the hold: the 10-s average of second 30 is 90 (= target: holds)
        perSecond[31] = 0; // ... of seconds 31..39 it is 80 < 90, of 40 (31..40) 90 again
        FailoverMeasures.Recovery r = FailoverMeasures.timeToRecovered(perSecond, 79, 20_000 * MS, 100);
        assertTrue(r.reached(), r.reason());
        assertEquals(40, r.atSecond(), "the first second from which the average holds 10 s");
        assertEquals(41_000 - 20_000, r.millis());
    }

    @Test
    void neverReachedOrNotConfirmedComesWithAReason() {
        long[] slow = new long[40];
        Arrays.fill(slow, 100);
        Arrays.fill(slow, 11, 40, 50);
        FailoverMeasures.Recovery never = FailoverMeasures.timeToRecovered(slow, 39, 10_500 * MS, 100);
        assertFalse(never.reached());
        assertNull(never.millis());
        assertTrue(never.reason().contains("never reached 90%"), never.reason());
        assertTrue(never.reason().contains("best after the kill: 50.0"), never.reason());

        long[] shortRun = new long[15];
        Arrays.fill(shortRun, 100);
        FailoverMeasures.Recovery unconfirmed = FailoverMeasures.timeToRecovered(shortRun, 14, 10_500 * MS, 100);
        assertFalse(unconfirmed.reached());
        assertTrue(unconfirmed.reason().contains("run ended before it had held"), unconfirmed.reason());

        assertFalse(FailoverMeasures.timeToRecovered(shortRun, 14, 10_500 * MS, 0).reached(),
                "no baseline, no recovery");
    }
}
