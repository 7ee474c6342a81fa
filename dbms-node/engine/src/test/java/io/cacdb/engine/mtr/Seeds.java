package io.cacdb.engine.mtr;

import java.util.SplittableRandom;

/**
 * Seeds for randomised tests: {@code -Dcacdb.seed=N} reproduces a run; otherwise a fresh seed is drawn. The seed is
 * printed with the test's name so a failure can be replayed.
 */
public final class Seeds {

    private Seeds() {
    }

    public static long seed(String test) {
        String fixed = System.getProperty("cacdb.seed");
        long seed = fixed != null && !fixed.isBlank() ? Long.parseLong(fixed.trim()) : new SplittableRandom().nextLong();
        System.out.println(test + ": seed " + seed + " (reproduce with -Dcacdb.seed=" + seed + ")");
        return seed;
    }
}
