package io.cacdb.replay;

import java.util.SplittableRandom;

/** Seeds for randomised tests: {@code -Dcacdb.seed=N} reproduces a run; the seed is printed with the test's name. */
final class TestSeeds {

    private TestSeeds() {
    }

    static long seed(String test) {
        String fixed = System.getProperty("cacdb.seed");
        long seed = fixed != null && !fixed.isBlank() ? Long.parseLong(fixed.trim()) : new SplittableRandom().nextLong();
        System.out.println(test + ": seed " + seed + " (reproduce with -Dcacdb.seed=" + seed + ")");
        return seed;
    }
}
