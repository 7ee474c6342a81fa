package io.cacdb.engine.bufferpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.PageRef;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.ioscheduler.IoScheduler;
import io.cacdb.ioscheduler.IoSchedulerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Measures the replacement policy on skewed workloads through the real pool: CLOCK with midpoint insertion (production)
 * against plain CLOCK and FIFO (baselines) and against the best any cache of that size can do under the independent reference model (the
 * probability mass of the hottest {@code frames} pages). Prints the numbers; asserts CLOCK beats FIFO and reaches a
 * sane share of the optimum, and that midpoint insertion keeps the hot set through scans larger than the pool.
 */
class ReplacementPolicyMeasurementTest {

    private static final int PAGES = 2_000;
    private static final int FRAMES = 200;
    private static final int WARMUP_ACCESSES = 20_000;
    private static final int MEASURED_ACCESSES = 60_000;
    private static final double ZIPF_EXPONENT = 1.0;
    /** Scan scenario: every SCAN_EVERY accesses, one sequential pass over SCAN_PAGES pages read once each. */
    private static final int SCAN_EVERY = 2_000;
    private static final int SCAN_PAGES = 300;

    private static final MemoryVolume VOLUME = new MemoryVolume(1);

    static {
        for (long p = 0; p < PAGES + SCAN_PAGES * 50; p++) {
            TestPages.store(VOLUME, p, 1, p);
        }
    }

    /** Zipf sampler over ranks 0..n-1 mapped to a seeded random permutation of page numbers. */
    private static final class Zipf {
        final double[] cdf;
        final long[] pageOfRank;

        Zipf(int n, double s, Random rnd) {
            cdf = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += 1.0 / Math.pow(i + 1, s);
                cdf[i] = sum;
            }
            for (int i = 0; i < n; i++) {
                cdf[i] /= sum;
            }
            pageOfRank = new long[n];
            for (int i = 0; i < n; i++) {
                pageOfRank[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                long t = pageOfRank[i];
                pageOfRank[i] = pageOfRank[j];
                pageOfRank[j] = t;
            }
        }

        long next(Random rnd) {
            int i = Arrays.binarySearch(cdf, rnd.nextDouble());
            return pageOfRank[i < 0 ? Math.min(-i - 1, cdf.length - 1) : i];
        }

        /** Best hit ratio of a static cache of {@code k} pages under independent references: top-k mass. */
        double optimum(int k) {
            return cdf[k - 1];
        }
    }

    private static double run(ReplacementPolicyKind kind, long seed, boolean withScans) {
        Random rnd = new Random(seed);
        Zipf zipf = new Zipf(PAGES, ZIPF_EXPONENT, rnd);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BufferPool pool = BufferPool.builder(BufferPoolConfig.defaults().withFrames(FRAMES).withReplacementPolicy(kind),
                        VOLUME, new IoScheduler(IoSchedulerConfig.defaults(), registry), registry)
                .evictionGuard(EvictionGuard.ALLOW_ALL).build();
        long scanCursor = PAGES;
        long hitsAtStart = 0;
        long missesAtStart = 0;
        for (int i = 0; i < WARMUP_ACCESSES + MEASURED_ACCESSES; i++) {
            if (i == WARMUP_ACCESSES) {
                hitsAtStart = pool.hits();
                missesAtStart = pool.misses();
            }
            if (withScans && i % SCAN_EVERY == 0) {
                for (int s = 0; s < SCAN_PAGES; s++) {
                    touch(pool, scanCursor++);
                }
            }
            touch(pool, zipf.next(rnd));
        }
        pool.checkInvariants();
        long h = pool.hits() - hitsAtStart;
        long m = pool.misses() - missesAtStart;
        pool.close();
        return (double) h / (h + m);
    }

    private static void touch(BufferPool pool, long pageNo) {
        PageRef r = pool.fix(pageNo, LatchMode.SHARED);
        r.release();
    }

    @Test
    void clockBeatsFifoOnAZipfWorkloadAndApproachesTheOptimum() {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        double clock = run(ReplacementPolicyKind.CLOCK, seed, false);
        double plain = run(ReplacementPolicyKind.PLAIN_CLOCK, seed, false);
        double fifo = run(ReplacementPolicyKind.FIFO, seed, false);
        double optimum = new Zipf(PAGES, ZIPF_EXPONENT, new Random(seed)).optimum(FRAMES);
        System.out.printf("replacement policy, Zipf(%.1f) over %d pages, %d frames, seed=%d: CLOCK+midpoint %.3f,"
                + " plain CLOCK %.3f, FIFO %.3f, IRM optimum %.3f (CLOCK+midpoint reaches %.0f%% of it)%n",
                ZIPF_EXPONENT, PAGES, FRAMES, seed, clock, plain, fifo, optimum, 100 * clock / optimum);
        assertTrue(clock > fifo, "CLOCK " + clock + " must beat FIFO " + fifo + " (seed " + seed + ")");
        assertTrue(clock >= 0.80 * optimum, "CLOCK " + clock + " below 80% of the optimum " + optimum);
    }

    @Test
    void midpointInsertionProtectsTheHotSetFromScans() {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        double clock = run(ReplacementPolicyKind.CLOCK, seed, true);
        double plain = run(ReplacementPolicyKind.PLAIN_CLOCK, seed, true);
        double fifo = run(ReplacementPolicyKind.FIFO, seed, true);
        System.out.printf("replacement policy with a %d-page scan every %d accesses, seed=%d: CLOCK+midpoint %.3f,"
                + " plain CLOCK %.3f, FIFO %.3f%n", SCAN_PAGES, SCAN_EVERY, seed, clock, plain, fifo);
        assertTrue(clock > plain + 0.03, "midpoint insertion " + clock + " must clearly beat plain CLOCK " + plain
                + " under scans (seed " + seed + ")");
        assertTrue(clock > fifo + 0.03, "CLOCK " + clock + " must clearly beat FIFO " + fifo + " under scans");
    }

    @Test
    void optimumOfTheSamplerIsTheTopMass() {
        Zipf z = new Zipf(4, 1.0, new Random(1));
        // 1, 1/2, 1/3, 1/4 normalised by 25/12.
        assertEquals((1 + 0.5) / (25.0 / 12), z.optimum(2), 1e-9);
    }
}
