package io.cacdb.engine.space;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.ListLogSink;
import io.cacdb.engine.mtr.MapPageSource;
import io.cacdb.engine.mtr.MiniTransaction;
import io.cacdb.engine.mtr.MtrReplayer;
import io.cacdb.engine.mtr.PageRef;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.page.PageType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PageAllocatorTest {

    private final MapPageSource pages = new MapPageSource();
    private final ListLogSink log = new ListLogSink();

    private MiniTransaction mtr() {
        return new MiniTransaction(pages, log);
    }

    private long allocateLeaf() {
        MiniTransaction m = mtr();
        PageRef p = PageAllocator.allocate(m);
        m.apply(p, new PageOps.InitPage(p.pageNo(), PageType.BTREE_LEAF, 3, 0, 0, 0, 0));
        m.commit();
        return p.pageNo();
    }

    private void free(long pageNo) {
        MiniTransaction m = mtr();
        PageAllocator.free(m, m.fix(pageNo, LatchMode.EXCLUSIVE));
        m.commit();
    }

    @Test
    void allocatesFreshPagesThenReusesFreedOnesLastInFirstOut() {
        MiniTransaction f = mtr();
        PageAllocator.format(f);
        f.commit();
        assertEquals(1, PageAllocator.nextUnused(pages));
        assertEquals(List.of(1L, 2L, 3L, 4L), List.of(allocateLeaf(), allocateLeaf(), allocateLeaf(), allocateLeaf()));
        free(2);
        free(4);
        assertEquals(List.of(4L, 2L), PageAllocator.freePages(pages));
        PageRef freed = pages.fix(4, LatchMode.SHARED);
        assertEquals(PageType.FREE, PageFormat.type(freed.bytes()));
        freed.release();
        assertEquals(4, allocateLeaf());
        assertEquals(2, allocateLeaf());
        assertEquals(5, allocateLeaf());
        assertEquals(List.of(), PageAllocator.freePages(pages));
        assertEquals(6, PageAllocator.nextUnused(pages));
        assertEquals(0, pages.pinnedPages());
    }

    @Test
    void namedRootsAreStoredOnPageZero() {
        MiniTransaction f = mtr();
        PageAllocator.format(f);
        f.commit();
        assertEquals(PageFormat.NO_PAGE, PageAllocator.root(pages, SpaceHeader.CATALOG_ROOT_SLOT));
        MiniTransaction m = mtr();
        PageAllocator.setRoot(m, SpaceHeader.CATALOG_ROOT_SLOT, 17);
        PageAllocator.setRoot(m, SpaceHeader.ROOT_SLOTS - 1, 18);
        m.commit();
        assertEquals(17, PageAllocator.root(pages, SpaceHeader.CATALOG_ROOT_SLOT));
        assertEquals(18, PageAllocator.root(pages, SpaceHeader.ROOT_SLOTS - 1));
        MiniTransaction bad = mtr();
        assertThrows(IllegalArgumentException.class, () -> PageAllocator.setRoot(bad, SpaceHeader.ROOT_SLOTS, 1));
        bad.abandon();
    }

    @Test
    void anUnformattedVolumeAndPageZeroAreRefused() {
        MiniTransaction m = mtr();
        assertThrows(IllegalStateException.class, () -> PageAllocator.allocate(m));
        m.abandon();
        MiniTransaction f = mtr();
        PageAllocator.format(f);
        f.commit();
        MiniTransaction z = mtr();
        assertThrows(IllegalStateException.class, () -> PageAllocator.free(z, z.fix(0, LatchMode.EXCLUSIVE)));
        z.abandon();
    }

    @Test
    void allocationIsLoggedAndReplays() {
        MiniTransaction f = mtr();
        PageAllocator.format(f);
        f.commit();
        for (int i = 0; i < 10; i++) {
            allocateLeaf();
        }
        free(3);
        free(7);
        allocateLeaf();
        Map<Long, byte[]> replayed = new HashMap<>();
        MtrReplayer.replay(log.mtrs(), replayed);
        Map<Long, byte[]> live = pages.snapshot();
        assertEquals(live.keySet(), new java.util.TreeMap<>(replayed).keySet());
        live.forEach((no, bytes) -> assertArrayEquals(bytes, replayed.get(no), "page " + no));
        assertEquals(List.of(3L), PageAllocator.freePages(new MapPageSource(replayed)));
    }
}
