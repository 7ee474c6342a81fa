package io.cacdb.engine.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cacdb.engine.page.SlottedPage;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A seeded random workload against one tree and its {@link TreeMap} model, with key and value shapes swarmed from
 * the seed so that different runs stress different things (deep trees from long separators, few cells per page
 * from big values, many cells from small ones).
 */
final class Workload {

    enum Shape {
        /** Short keys, small values: many cells per page. */
        SMALL,
        /** Keys with a long shared prefix: long separators, low fan-out, deep trees. */
        LONG_PREFIX,
        /** Values up to the cell limit: 4-8 cells per page, frequent splits and merges. */
        BIG_VALUES,
        /** A mix of all of the above in one tree. */
        MIXED
    }

    final SplittableRandom random;
    final Shape shape;
    final int universe;
    private final byte[] prefix;
    int splitsSeen;

    Workload(SplittableRandom random, Shape shape, int universe) {
        this.random = random;
        this.shape = shape;
        this.universe = universe;
        this.prefix = new byte[300 + random.nextInt(600)];
        Arrays.fill(prefix, (byte) 'p');
    }

    /** Key number {@code i}: a deterministic function of i, so the key universe is bounded and keys recur. */
    byte[] key(int i) {
        byte[] id = {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
        boolean longPrefix = shape == Shape.LONG_PREFIX || (shape == Shape.MIXED && i % 3 == 0);
        byte[] head = longPrefix ? prefix : new byte[0];
        byte[] tail = new byte[i % 5];
        Arrays.fill(tail, (byte) i);
        byte[] k = new byte[head.length + id.length + tail.length];
        System.arraycopy(head, 0, k, 0, head.length);
        System.arraycopy(id, 0, k, head.length, id.length);
        System.arraycopy(tail, 0, k, head.length + id.length, tail.length);
        return k;
    }

    byte[] randomKey() {
        return key(random.nextInt(universe));
    }

    byte[] value(byte[] key) {
        int max = switch (shape) {
            case SMALL -> 200;
            case LONG_PREFIX -> 100;
            case BIG_VALUES -> SlottedPage.MAX_KEY_AND_VALUE_BYTES - key.length;
            case MIXED -> random.nextInt(4) == 0 ? SlottedPage.MAX_KEY_AND_VALUE_BYTES - key.length : 300;
        };
        byte[] v = new byte[random.nextInt(max + 1)];
        random.nextBytes(v);
        return v;
    }

    /** Bias towards growth ({@code grow}) or shrinkage; returns a short description of the step. */
    String step(TreeFixture f, BTree t, TreeMap<byte[], byte[]> model, boolean grow) {
        int dice = random.nextInt(100);
        int insertShare = grow ? 55 : 15;
        int deleteShare = grow ? 15 : 55;
        if (dice < insertShare) {
            byte[] k = randomKey();
            byte[] v = value(k);
            boolean inserted = f.insert(t, k, v);
            assertEquals(!model.containsKey(k), inserted, "insert result");
            model.putIfAbsent(k, v);
            return "insert";
        }
        dice -= insertShare;
        if (dice < deleteShare) {
            byte[] k = randomKey();
            byte[] old = f.delete(t, k);
            byte[] expected = model.remove(k);
            assertResult(expected, old, "delete");
            return "delete";
        }
        dice -= deleteShare;
        if (dice < 15) {
            byte[] k = randomKey();
            byte[] v = value(k);
            byte[] old = f.update(t, k, v);
            byte[] expected = model.containsKey(k) ? model.put(k, v) : null;
            assertResult(expected, old, "update");
            return "update";
        }
        dice -= 15;
        if (dice < 8) {
            byte[] k = randomKey();
            assertResult(model.get(k), t.get(k), "get");
            return "get";
        }
        KeyRange range = randomRange();
        boolean ascending = random.nextBoolean();
        TreeFixture.assertScanEquals(t, range, ascending, model, random.nextInt(4) == 0 ? 5 : Integer.MAX_VALUE);
        return "scan";
    }

    KeyRange randomRange() {
        byte[] low = random.nextInt(5) == 0 ? null : randomKey();
        byte[] high = random.nextInt(5) == 0 ? null : randomKey();
        if (low != null && high != null && Arrays.compareUnsigned(low, high) > 0) {
            byte[] x = low;
            low = high;
            high = x;
        }
        if (low != null && random.nextInt(4) == 0) {
            low = Arrays.copyOf(low, Math.max(1, low.length - 1 - random.nextInt(3))); // a bound that is no key
        }
        return new KeyRange(low, random.nextBoolean(), high, random.nextBoolean());
    }

    private static void assertResult(byte[] expected, byte[] actual, String what) {
        if (expected == null) {
            assertNull(actual, what + " of an absent key returns null");
        } else {
            assertArrayEquals(expected, actual, what + " returns the old value");
        }
    }
}
