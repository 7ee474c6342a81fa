package io.cacdb.engine.btree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.mtr.ListLogSink;
import io.cacdb.engine.mtr.MapPageSource;
import io.cacdb.engine.mtr.MtrReplayer;
import io.cacdb.engine.mtr.Seeds;
import io.cacdb.engine.page.PageFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Redo equivalence: the log of a random workload (every MTR, as recorded by the log sink), replayed with the pageLSN
 * test onto zeroed pages, rebuilds the live pages byte for byte (checksum field aside); replaying again changes
 * nothing; replaying over a copy of the pages taken at a random midpoint, from the start or from that point,
 * also lands on the live pages.
 */
class BTreeReplayTest {

    @Test
    void replayRebuildsLivePagesExactly() {
        long seed = Seeds.seed("BTreeReplayTest.replayRebuildsLivePagesExactly");
        SplittableRandom random = new SplittableRandom(seed);
        TreeFixture f = new TreeFixture();
        List<BTree> trees = new ArrayList<>();
        List<TreeMap<byte[], byte[]>> models = new ArrayList<>();
        List<Workload> workloads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            trees.add(f.create(7 + i));
            models.add(TreeFixture.newModel());
            workloads.add(new Workload(random.split(), Workload.Shape.values()[random.nextInt(4)], 800));
        }
        int steps = 5000;
        int midpoint = 1000 + random.nextInt(steps - 2000);
        Map<Long, byte[]> atMidpoint = null;
        int mtrsAtMidpoint = 0;
        for (int step = 0; step < steps; step++) {
            if (step == midpoint) {
                atMidpoint = f.pages.snapshot();
                mtrsAtMidpoint = f.log.mtrs().size();
            }
            int i = random.nextInt(trees.size());
            workloads.get(i).step(f, trees.get(i), models.get(i), (step / 1200) % 2 == 0);
        }
        Map<Long, byte[]> live = f.pages.snapshot();
        List<ListLogSink.LoggedMtr> log = f.log.mtrs();
        System.out.println("replaying " + log.size() + " MTRs, " + f.log.endLsn() + " log bytes, " + live.size()
                + " pages; midpoint after MTR " + mtrsAtMidpoint);

        Map<Long, byte[]> fromZero = new HashMap<>();
        int applied = MtrReplayer.replay(log, fromZero);
        assertTrue(applied > 0);
        assertSamePages(live, fromZero, "replay onto zeroed pages");

        assertEquals(0, MtrReplayer.replay(log, fromZero), "a second replay applies nothing (idempotent)");
        assertSamePages(live, fromZero, "replayed twice");

        Map<Long, byte[]> fromStartOverMidpoint = deepCopy(atMidpoint);
        MtrReplayer.replay(log, fromStartOverMidpoint);
        assertSamePages(live, fromStartOverMidpoint, "whole log over the midpoint pages");

        Map<Long, byte[]> fromMidpoint = deepCopy(atMidpoint);
        MtrReplayer.replay(log.subList(mtrsAtMidpoint, log.size()), fromMidpoint);
        assertSamePages(live, fromMidpoint, "log suffix over the midpoint pages");

        // The replayed volume is a working volume: the same trees validate and hold the model's keys.
        MapPageSource replayed = new MapPageSource(fromZero);
        for (int i = 0; i < trees.size(); i++) {
            BTree t = new BTree(replayed, trees.get(i).indexId(), trees.get(i).rootPageNo());
            assertEquals(models.get(i).size(), t.validate().keyCount());
            TreeFixture.assertScanEquals(t, KeyRange.all(), true, models.get(i), Integer.MAX_VALUE);
        }
    }

    static Map<Long, byte[]> deepCopy(Map<Long, byte[]> pages) {
        Map<Long, byte[]> out = new HashMap<>();
        pages.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    /** Equal page sets and bytes, except the checksum field, which is stamped only when a page is written. */
    static void assertSamePages(Map<Long, byte[]> live, Map<Long, byte[]> replayed, String what) {
        assertEquals(new TreeMap<>(live).keySet(), new TreeMap<>(replayed).keySet(), what + ": page numbers");
        for (Map.Entry<Long, byte[]> e : live.entrySet()) {
            byte[] a = e.getValue();
            byte[] b = replayed.get(e.getKey());
            int from = PageFormat.CHECKSUM_OFFSET + 4;
            int diff = Arrays.mismatch(a, from, a.length, b, from, b.length);
            assertEquals(-1, diff, what + ": page " + e.getKey() + " differs at byte " + (diff + from));
        }
    }
}
