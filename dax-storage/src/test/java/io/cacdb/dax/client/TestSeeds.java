package io.cacdb.dax.client;

/** Seeds of randomised tests: printed always, taken from {@code -Dcacdb.test.seed=N} to reproduce a run. */
final class TestSeeds {

    private TestSeeds() {
    }

    static long seed(String test) {
        String given = System.getProperty("cacdb.test.seed");
        long seed = given != null ? Long.parseLong(given) : System.nanoTime();
        System.out.println(test + " seed=" + seed + " (reproduce with -Dcacdb.test.seed=" + seed + ")");
        return seed;
    }
}
