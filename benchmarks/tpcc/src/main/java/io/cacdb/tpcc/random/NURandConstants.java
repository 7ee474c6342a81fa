package io.cacdb.tpcc.random;

import java.util.ArrayList;
import java.util.List;

/**
 * The C constants of NURand (spec §2.1.6): one per field, the same for every terminal of a run.
 *
 * <p>C_LAST has a load-time value (used to generate the last names of customers 1001..3000) and a run-time value,
 * which must differ from it by 65..119 and not by 96 or 112 (§2.1.6.1), so that the run's name distribution is not
 * the load's. C_ID and OL_I_ID are not drawn with NURand at load time, so they only have a run value.
 *
 * @param cLastLoad C for C_LAST used by the loader, in [0, 255]
 * @param cLastRun  C for C_LAST used by the terminals, in [0, 255]
 * @param cId       C for C_ID, in [0, 1023]
 * @param olIId     C for OL_I_ID, in [0, 8191]
 */
public record NURandConstants(int cLastLoad, int cLastRun, int cId, int olIId) {

    /** A of NURand for C_LAST (range 0..999). */
    public static final int A_C_LAST = 255;
    /** A of NURand for C_ID (range 1..3000). */
    public static final int A_C_ID = 1023;
    /** A of NURand for OL_I_ID (range 1..100000). */
    public static final int A_OL_I_ID = 8191;
    /** Bounds of |C_RUN − C_LOAD| for C_LAST (§2.1.6.1). */
    public static final int C_LAST_DELTA_MIN = 65;
    public static final int C_LAST_DELTA_MAX = 119;

    public NURandConstants {
        check("C_LAST load", cLastLoad, A_C_LAST);
        check("C_LAST run", cLastRun, A_C_LAST);
        check("C_ID", cId, A_C_ID);
        check("OL_I_ID", olIId, A_OL_I_ID);
        if (!validDelta(cLastLoad, cLastRun)) {
            throw new IllegalArgumentException("C_LAST run " + cLastRun + " and load " + cLastLoad
                    + " break the delta rule: |run - load| must be in 65..119 and not 96 or 112");
        }
    }

    private static void check(String what, int c, int a) {
        if (c < 0 || c > a) {
            throw new IllegalArgumentException(what + " constant must be in [0, " + a + "], was " + c);
        }
    }

    /** The §2.1.6.1 rule: 65 ≤ |run − load| ≤ 119, and the difference is neither 96 nor 112. */
    public static boolean validDelta(int cLastLoad, int cLastRun) {
        int delta = Math.abs(cLastRun - cLastLoad);
        return delta >= C_LAST_DELTA_MIN && delta <= C_LAST_DELTA_MAX && delta != 96 && delta != 112;
    }

    /** Draws the load-time C_LAST constant. */
    public static int drawLoadCLast(TpccRandom random) {
        return random.uniform(0, A_C_LAST);
    }

    /** Draws the run's constants given the C_LAST the database was loaded with (uniform among the valid values). */
    public static NURandConstants forRun(int cLastLoad, TpccRandom random) {
        List<Integer> valid = new ArrayList<>();
        for (int c = 0; c <= A_C_LAST; c++) {
            if (validDelta(cLastLoad, c)) {
                valid.add(c);
            }
        }
        // Every load value in [0, 255] has valid run values on at least one side (checked by a test for all 256).
        int cLastRun = valid.get(random.uniform(0, valid.size() - 1));
        return new NURandConstants(cLastLoad, cLastRun, random.uniform(0, A_C_ID), random.uniform(0, A_OL_I_ID));
    }
}
