package io.cacdb.tpcc.random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.tpcc.TestSeeds;
import org.junit.jupiter.api.Test;

class NURandConstantsTest {

    @Test
    void deltaRuleBoundsAndExclusions() {
        assertTrue(NURandConstants.validDelta(100, 165));
        assertTrue(NURandConstants.validDelta(165, 100));
        assertFalse(NURandConstants.validDelta(100, 164), "64 is too close");
        assertTrue(NURandConstants.validDelta(0, 119));
        assertFalse(NURandConstants.validDelta(0, 120), "120 is too far");
        assertFalse(NURandConstants.validDelta(10, 106), "96 is excluded");
        assertFalse(NURandConstants.validDelta(10, 122), "112 is excluded");
        assertTrue(NURandConstants.validDelta(157, 223), "BenchBase's pair (difference 66)");
    }

    @Test
    void runConstantsRespectTheRuleForEveryLoadConstant() {
        TpccRandom r = new TpccRandom(TestSeeds.seed("runConstantsRespectTheRuleForEveryLoadConstant"));
        for (int load = 0; load <= NURandConstants.A_C_LAST; load++) {
            for (int i = 0; i < 20; i++) {
                NURandConstants c = NURandConstants.forRun(load, r);
                assertTrue(NURandConstants.validDelta(load, c.cLastRun()), "load " + load + " run " + c.cLastRun());
                assertTrue(c.cId() >= 0 && c.cId() <= NURandConstants.A_C_ID);
                assertTrue(c.olIId() >= 0 && c.olIId() <= NURandConstants.A_OL_I_ID);
            }
        }
    }

    @Test
    void constructorRejectsInvalidConstants() {
        assertThrows(IllegalArgumentException.class, () -> new NURandConstants(100, 100, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new NURandConstants(0, 96, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new NURandConstants(0, 70, 1024, 1));
        assertThrows(IllegalArgumentException.class, () -> new NURandConstants(0, 70, 1, 8192));
        assertThrows(IllegalArgumentException.class, () -> new NURandConstants(-1, 70, 1, 1));
    }
}
