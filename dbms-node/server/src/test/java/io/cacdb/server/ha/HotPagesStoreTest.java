package io.cacdb.server.ha;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HotPagesStoreTest {

    private static Block block(HotPagesStore.Encoded e, long seq) {
        return Block.of(BlockAddress.meta(1, HotPagesStore.HOT_PAGES_RECORD_NO), Version.ofMeta(seq), e.bytes());
    }

    @Test
    void roundTripsAndCutsAtTheBlockBudget() {
        long seed = System.nanoTime();
        System.out.println("HotPagesStoreTest seed " + seed);
        Random r = new Random(seed);
        long[] pages = r.longs(20_000, 0, 1L << 40).distinct().sorted().toArray();
        long seq = HotPagesStore.sequence(3, 7);
        HotPagesStore.Encoded e = HotPagesStore.encode(pages, seq);
        assertTrue(e.bytes().length <= HotPagesStore.PAYLOAD_BYTES_MAX, "one META block: " + e.bytes().length);
        assertTrue(e.count() > 0 && e.count() < pages.length, "far apart pages: cut by bytes, " + e.count());
        assertArrayEquals(Arrays.copyOf(pages, e.count()), HotPagesStore.decode(block(e, seq)));

        long[] dense = java.util.stream.LongStream.range(1000, 4000).toArray();
        HotPagesStore.Encoded d = HotPagesStore.encode(dense, seq);
        assertEquals(dense.length, d.count(), "dense pages cost a byte each");
        assertArrayEquals(dense, HotPagesStore.decode(block(d, seq)));
        assertArrayEquals(new long[0], HotPagesStore.decode(block(HotPagesStore.encode(new long[0], seq), seq)));
    }

    @Test
    void refusesWhatItCannotTrust() {
        long seq = HotPagesStore.sequence(1, 1);
        assertTrue(HotPagesStore.sequence(2, 1) > HotPagesStore.sequence(1, 99), "a new epoch's lists supersede");
        assertThrows(IllegalArgumentException.class, () -> HotPagesStore.encode(new long[] {5, 3}, seq));
        HotPagesStore.Encoded e = HotPagesStore.encode(new long[] {1, 2, 3}, seq);
        assertThrows(HotPagesStore.CorruptHotPagesException.class, () -> HotPagesStore.decode(block(e, seq + 1)),
                "a version that is not the record's sequence");
        byte[] cut = Arrays.copyOf(e.bytes(), e.bytes().length - 1);
        assertThrows(HotPagesStore.CorruptHotPagesException.class, () -> HotPagesStore.decode(Block.of(
                BlockAddress.meta(1, HotPagesStore.HOT_PAGES_RECORD_NO), Version.ofMeta(seq), cut)));
    }
}
