package io.cacdb.engine.btree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.mtr.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random inserts, updates, deletes, gets and scans in both directions against a {@link TreeMap} model, with
 * {@link BTree#validate()} after every step. Each run grows the tree, shrinks it, grows it again and finally
 * empties it, so it goes through leaf and internal splits, root splits, merges, redistributions and root collapses.
 */
class BTreeRandomTest {

    private static final int STEPS_PER_PHASE = 1500;

    @Test
    void singleTreeMatchesModelInEveryShape() {
        long seed = Seeds.seed("BTreeRandomTest.singleTreeMatchesModelInEveryShape");
        long redistributions = 0;
        for (Workload.Shape shape : Workload.Shape.values()) {
            SplittableRandom random = new SplittableRandom(seed ^ shape.ordinal());
            TreeFixture f = new TreeFixture();
            BTree t = f.create(11);
            Workload w = new Workload(random, shape, shape == Workload.Shape.SMALL ? 3000 : 1200);
            TreeMap<byte[], byte[]> model = TreeFixture.newModel();
            int maxHeight = 0;
            boolean[] phases = {true, false, true};
            int step = 0;
            for (boolean grow : phases) {
                for (int i = 0; i < STEPS_PER_PHASE; i++, step++) {
                    String what = w.step(f, t, model, grow);
                    TreeStats stats = validate(t, model, shape, step, what);
                    maxHeight = Math.max(maxHeight, stats.height());
                    assertEquals(0, f.pages.pinnedPages(), "step " + step + " (" + what + ") leaks a pin");
                }
                TreeFixture.assertScanEquals(t, KeyRange.all(), true, model, Integer.MAX_VALUE);
                f.assertSpaceAccounted(List.of(t.validate()));
            }
            for (byte[] k : new ArrayList<>(model.keySet())) {
                f.delete(t, k);
                model.remove(k);
                validate(t, model, shape, step++, "drain");
            }
            TreeStats end = t.validate();
            StructureChanges c = t.structureChanges();
            System.out.println(shape + ": max height " + maxHeight + ", " + c);
            assertEquals(1, end.height(), shape + ": an emptied tree collapses to a root leaf");
            assertEquals(1, end.pages().size());
            f.assertSpaceAccounted(List.of(end));
            int minHeight = shape == Workload.Shape.LONG_PREFIX ? 3 : 2;
            // Only long separators (fan-out ~10-25) make three or more levels from a few thousand keys; short keys
            // give internal fan-out in the hundreds.
            assertTrue(maxHeight >= minHeight, shape + ": the workload grew the tree to at least " + minHeight
                    + " levels, got " + maxHeight);
            assertTrue(c.splits() >= 10 && c.merges() >= 5, shape + ": many splits and merges: " + c);
            assertTrue(c.rootSplits() >= minHeight - 1 && c.rootCollapses() >= minHeight - 1,
                    shape + ": the root split and collapsed: " + c);
            redistributions += c.redistributions();
        }
        assertTrue(redistributions > 0, "some underfull node was evened out with its sibling");
    }

    @Test
    void severalTreesShareOneSpace() {
        long seed = Seeds.seed("BTreeRandomTest.severalTreesShareOneSpace");
        SplittableRandom random = new SplittableRandom(seed);
        TreeFixture f = new TreeFixture();
        List<BTree> trees = new ArrayList<>();
        List<TreeMap<byte[], byte[]>> models = new ArrayList<>();
        List<Workload> workloads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            trees.add(f.create(100 + i));
            models.add(TreeFixture.newModel());
            workloads.add(new Workload(random.split(), Workload.Shape.values()[i + 1], 600));
        }
        for (int step = 0; step < 4 * STEPS_PER_PHASE; step++) {
            int i = random.nextInt(trees.size());
            boolean grow = (step / 1000) % 2 == 0;
            String what = workloads.get(i).step(f, trees.get(i), models.get(i), grow);
            validate(trees.get(i), models.get(i), workloads.get(i).shape, step, what + " on tree " + i);
            if (step % 500 == 0) {
                List<TreeStats> stats = new ArrayList<>();
                for (BTree t : trees) {
                    stats.add(t.validate());
                }
                f.assertSpaceAccounted(stats);
            }
        }
        List<TreeStats> stats = new ArrayList<>();
        for (int i = 0; i < trees.size(); i++) {
            TreeFixture.assertScanEquals(trees.get(i), KeyRange.all(), false, models.get(i), Integer.MAX_VALUE);
            stats.add(trees.get(i).validate());
        }
        f.assertSpaceAccounted(stats);
    }

    private static TreeStats validate(BTree t, TreeMap<byte[], byte[]> model, Workload.Shape shape, int step,
                                      String what) {
        TreeStats stats;
        try {
            stats = t.validate();
        } catch (IllegalStateException e) {
            throw new AssertionError(shape + " step " + step + " (" + what + "): " + e.getMessage(), e);
        }
        assertEquals(model.size(), stats.keyCount(), shape + " step " + step + " (" + what + "): key count");
        return stats;
    }
}
