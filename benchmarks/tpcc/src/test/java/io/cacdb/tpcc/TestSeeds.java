package io.cacdb.tpcc;

/**
 * Seeds for randomised tests: {@code -Dtpcc.test.seed=N} reproduces a run; otherwise a fresh seed, printed so a
 * failure can be replayed.
 */
public final class TestSeeds {

    public static long seed(String test) {
        String given = System.getProperty("tpcc.test.seed");
        long seed = given != null ? Long.parseLong(given) : System.nanoTime();
        System.out.println(test + ": seed " + seed + " (reproduce with -Dtpcc.test.seed=" + seed + ")");
        return seed;
    }

    private TestSeeds() {
    }
}
