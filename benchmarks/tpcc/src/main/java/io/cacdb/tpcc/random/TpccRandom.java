package io.cacdb.tpcc.random;

import java.math.BigDecimal;
import java.util.SplittableRandom;

/**
 * The random functions of TPC-C (spec §2.1.5–§2.1.6, §4.3.2): uniform integers, NURand, a-strings and n-strings,
 * the syllable last names, and the "ORIGINAL" data strings of ITEM and STOCK.
 *
 * <p>One instance per thread (not thread-safe). Seeded, so a load or a terminal's input stream is reproducible.
 */
public final class TpccRandom {

    /** Characters of a-strings. The spec only asks for a character set of 128+ characters; like BenchBase and
     * go-tpc we draw from letters and digits, which are one byte in UTF-8 and safe in {@code char(n)}. */
    private static final char[] ALPHANUMERIC =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    /** The ten syllables of C_LAST (spec §4.3.2.3), picked by the three digits of a number 0..999. */
    private static final String[] SYLLABLES =
            {"BAR", "OUGHT", "ABLE", "PRI", "PRES", "ESE", "ANTI", "CALLY", "ATION", "EING"};

    /** The marker string placed in 10% of I_DATA and S_DATA values (spec §4.3.3.1). */
    public static final String ORIGINAL = "ORIGINAL";

    /** Share of I_DATA / S_DATA / C_CREDIT rows that get the special value, in percent (spec §4.3.3.1). */
    public static final int TEN_PERCENT = 10;

    private final SplittableRandom random;

    public TpccRandom(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Uniform integer in [lo, hi], both inclusive (the spec's random(x..y)). */
    public int uniform(int lo, int hi) {
        if (lo > hi) {
            throw new IllegalArgumentException("empty range [" + lo + ", " + hi + "]");
        }
        return lo + random.nextInt(hi - lo + 1);
    }

    /** Uniform decimal in [lo, hi] with {@code scale} digits after the point, e.g. (1, 10000, 2) is 0.01..100.00. */
    public BigDecimal uniformDecimal(long loUnscaled, long hiUnscaled, int scale) {
        if (loUnscaled > hiUnscaled) {
            throw new IllegalArgumentException("empty range [" + loUnscaled + ", " + hiUnscaled + "]");
        }
        return BigDecimal.valueOf(loUnscaled + random.nextLong(hiUnscaled - loUnscaled + 1), scale);
    }

    /** True with probability {@code percent}/100. */
    public boolean percent(int percent) {
        return uniform(1, 100) <= percent;
    }

    /**
     * NURand(A, x, y) = (((random(0, A) | random(x, y)) + C) % (y − x + 1)) + x (spec §2.1.6), with C the run's
     * (or load's) constant for this field.
     */
    public int nurand(int a, int x, int y, int c) {
        return (((uniform(0, a) | uniform(x, y)) + c) % (y - x + 1)) + x;
    }

    /** A random alphanumeric string whose length is uniform in [minLength, maxLength] (spec §4.3.2.2). */
    public String aString(int minLength, int maxLength) {
        int n = uniform(minLength, maxLength);
        char[] chars = new char[n];
        for (int i = 0; i < n; i++) {
            chars[i] = ALPHANUMERIC[random.nextInt(ALPHANUMERIC.length)];
        }
        return new String(chars);
    }

    /** A random numeric string whose length is uniform in [minLength, maxLength] (spec §4.3.2.2). */
    public String nString(int minLength, int maxLength) {
        int n = uniform(minLength, maxLength);
        char[] chars = new char[n];
        for (int i = 0; i < n; i++) {
            chars[i] = (char) ('0' + random.nextInt(10));
        }
        return new String(chars);
    }

    /** A zip code: 4 random digits followed by "11111" (spec §4.3.2.7). */
    public String zip() {
        return nString(4, 4) + "11111";
    }

    /**
     * An I_DATA / S_DATA value: an a-string of [minLength, maxLength]; in 10% of values "ORIGINAL" replaces the
     * characters at a random position (spec §4.3.3.1).
     */
    public String dataWithOriginal(int minLength, int maxLength) {
        String s = aString(minLength, maxLength);
        if (!percent(TEN_PERCENT)) {
            return s;
        }
        int at = uniform(0, s.length() - ORIGINAL.length());
        return s.substring(0, at) + ORIGINAL + s.substring(at + ORIGINAL.length());
    }

    /** A random permutation of 1..n (O_C_ID of the initial orders, spec §4.3.3.1). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i + 1;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Negative-exponential think time −ln(r)·mean, truncated at 10·mean (spec §5.2.5.4), in the mean's unit. */
    public double thinkTime(double mean) {
        double r = random.nextDouble();
        double t = -Math.log(r == 0 ? Double.MIN_VALUE : r) * mean;
        return Math.min(t, 10 * mean);
    }

    /** A fresh seed drawn from this stream (for children: one per terminal, one per load task). */
    public long nextSeed() {
        return random.nextLong();
    }

    /** C_LAST for the number {@code num} in 0..999: the syllables of its three digits (spec §4.3.2.3). */
    public static String lastName(int num) {
        if (num < 0 || num > 999) {
            throw new IllegalArgumentException("last-name number must be in 0..999, was " + num);
        }
        return SYLLABLES[num / 100] + SYLLABLES[(num / 10) % 10] + SYLLABLES[num % 10];
    }
}
