package io.cacdb.engine.bufferpool;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.page.PageType;
import io.cacdb.engine.volume.VolumeWriter;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Page images and waiting helpers for buffer-pool tests. */
final class TestPages {

    /** Where tests keep a per-page payload value: the first bytes after the header. */
    static final int PAYLOAD_OFFSET = PageFormat.HEADER_BYTES;

    private TestPages() {
    }

    /** A valid, checksummed leaf image of {@code pageNo} at {@code pageLsn} carrying {@code payload}. */
    static byte[] image(long pageNo, long pageLsn, long payload) {
        byte[] p = new byte[PageFormat.PAGE_SIZE_BYTES];
        initHeader(p, pageNo);
        PageFormat.setPageLsn(p, pageLsn);
        PageFormat.putLong(p, PAYLOAD_OFFSET, payload);
        PageFormat.stampChecksum(p);
        return p;
    }

    /** Makes a zeroed (fresh) frame a leaf of {@code pageNo}, as a B+tree initialising a new page would. */
    static void initHeader(byte[] p, long pageNo) {
        p[PageFormat.TYPE_OFFSET] = PageType.BTREE_LEAF.code();
        PageFormat.putLong(p, PageFormat.PAGE_NO_OFFSET, pageNo);
    }

    static Block block(long volume, long pageNo, long pageLsn, long payload) {
        return Block.of(BlockAddress.page(volume, pageNo), Version.ofPage(pageLsn), image(pageNo, pageLsn, payload));
    }

    /** Stores a page directly, as if an earlier run of the engine had written it. */
    static void store(VolumeWriter v, long pageNo, long pageLsn, long payload) {
        v.write(block(v.volume(), pageNo, pageLsn, payload)).join();
    }

    static long payload(byte[] page) {
        return PageFormat.getLong(page, PAYLOAD_OFFSET);
    }

    /** Waits for a condition another thread makes true, failing after {@code bound}. Never sleeps blindly. */
    static void awaitCondition(String what, Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + bound + " waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
