package io.cacdb.engine.space;

import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.MiniTransaction;
import io.cacdb.engine.mtr.PageRef;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.page.PageType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Allocates and frees pages of one volume, as page ops inside the caller's mini-transaction, so allocation is
 * logged, replayed by the standby and undone by nothing (a page allocated by a transaction that rolls back is freed
 * by the logical undo of whatever used it, or stays as part of a structure, like any B+tree split).
 *
 * <p>Rules. The space header (page 0) is latched EXCLUSIVE by the first allocate/free of an MTR and stays latched
 * until it commits; this serialises allocation volume-wide and is why page 0 must be the <em>last</em> page an MTR
 * latches before any page it allocates: callers fix every existing page they need (e.g. a right sibling) before
 * calling {@link #allocate}. A free page is latched only by the allocator that pops it, so latching it after page 0
 * cannot deadlock. Free pages form a singly linked list through their header's nextPageNo.
 *
 * <p>Stateless and thread-safe; all state is on page 0.
 */
public final class PageAllocator {

    private PageAllocator() {
    }

    /** Formats page 0 of a fresh volume: no free pages, next unused page 1, no roots. */
    public static void format(MiniTransaction mtr) {
        PageRef header = mtr.fixNew(PageFormat.SPACE_HEADER_PAGE_NO);
        mtr.apply(header, new PageOps.InitPage(PageFormat.SPACE_HEADER_PAGE_NO, PageType.SPACE_HEADER, 0, 0,
                PageFormat.NO_PAGE, PageFormat.NO_PAGE, PageFormat.NO_PAGE));
        byte[] state = new byte[24];
        PageFormat.putInt(state, 0, SpaceHeader.FORMAT_VERSION);
        PageFormat.putLong(state, 8, PageFormat.SPACE_HEADER_PAGE_NO + 1);
        PageFormat.putLong(state, 16, 0);
        mtr.apply(header, new PageOps.WriteBytes(SpaceHeader.FORMAT_VERSION_OFFSET, state));
    }

    /**
     * Allocates a page: the head of the free list if any, else the next never-used page. Returns it fixed
     * EXCLUSIVE in {@code mtr}, with unspecified contents: the caller must apply an {@link PageOps.InitPage} to it.
     */
    public static PageRef allocate(MiniTransaction mtr) {
        PageRef header = fixHeader(mtr);
        byte[] h = header.bytes();
        long head = SpaceHeader.freeListHead(h);
        if (head != PageFormat.NO_PAGE) {
            PageRef page = mtr.fix(head, LatchMode.EXCLUSIVE);
            byte[] p = page.bytes();
            if (PageFormat.type(p) != PageType.FREE) {
                throw new IllegalStateException("free-list head " + head + " is a " + PageFormat.type(p)
                        + " page, expected FREE");
            }
            long next = PageFormat.getLong(p, PageFormat.NEXT_PAGE_OFFSET);
            mtr.apply(header, PageOps.WriteBytes.ofLong(PageFormat.SPECIAL_OFFSET, next));
            mtr.apply(header, PageOps.WriteBytes.ofLong(SpaceHeader.FREE_COUNT_OFFSET, SpaceHeader.freeCount(h) - 1));
            return page;
        }
        long pageNo = SpaceHeader.nextUnused(h);
        mtr.apply(header, PageOps.WriteBytes.ofLong(SpaceHeader.NEXT_UNUSED_OFFSET, pageNo + 1));
        return mtr.fixNew(pageNo);
    }

    /** Frees a page fixed EXCLUSIVE in {@code mtr}: it becomes an empty FREE page at the head of the free list. */
    public static void free(MiniTransaction mtr, PageRef page) {
        if (page.pageNo() == PageFormat.SPACE_HEADER_PAGE_NO) {
            throw new IllegalStateException("the space header page cannot be freed");
        }
        PageRef header = fixHeader(mtr);
        byte[] h = header.bytes();
        long head = SpaceHeader.freeListHead(h);
        mtr.apply(page, new PageOps.InitPage(page.pageNo(), PageType.FREE, 0, 0, PageFormat.NO_PAGE, head,
                PageFormat.NO_PAGE));
        mtr.apply(header, PageOps.WriteBytes.ofLong(PageFormat.SPECIAL_OFFSET, page.pageNo()));
        mtr.apply(header, PageOps.WriteBytes.ofLong(SpaceHeader.FREE_COUNT_OFFSET, SpaceHeader.freeCount(h) + 1));
    }

    /** Sets named root {@code slot} (see {@link SpaceHeader#ROOT_SLOTS}). */
    public static void setRoot(MiniTransaction mtr, int slot, long pageNo) {
        PageRef header = fixHeader(mtr);
        mtr.apply(header, PageOps.WriteBytes.ofLong(SpaceHeader.rootOffset(slot), pageNo));
    }

    /** Reads named root {@code slot}; {@link PageFormat#NO_PAGE} if unset. */
    public static long root(PageSource pages, int slot) {
        PageRef header = pages.fix(PageFormat.SPACE_HEADER_PAGE_NO, LatchMode.SHARED);
        try {
            return SpaceHeader.root(header.bytes(), slot);
        } finally {
            header.release();
        }
    }

    /** The page numbers on the free list, head first (for validation and tests). Fails on a cycle. */
    public static List<Long> freePages(PageSource pages) {
        PageRef header = pages.fix(PageFormat.SPACE_HEADER_PAGE_NO, LatchMode.SHARED);
        long next;
        long expected;
        long nextUnused;
        try {
            next = SpaceHeader.freeListHead(header.bytes());
            expected = SpaceHeader.freeCount(header.bytes());
            nextUnused = SpaceHeader.nextUnused(header.bytes());
        } finally {
            header.release();
        }
        List<Long> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        while (next != PageFormat.NO_PAGE) {
            if (next >= nextUnused || !seen.add(next)) {
                throw new IllegalStateException("free list reaches page " + next + " twice or beyond next unused "
                        + nextUnused);
            }
            out.add(next);
            PageRef p = pages.fix(next, LatchMode.SHARED);
            try {
                if (PageFormat.type(p.bytes()) != PageType.FREE) {
                    throw new IllegalStateException("page " + next + " on the free list is " + PageFormat.type(p.bytes()));
                }
                next = PageFormat.getLong(p.bytes(), PageFormat.NEXT_PAGE_OFFSET);
            } finally {
                p.release();
            }
        }
        if (out.size() != expected) {
            throw new IllegalStateException("free list holds " + out.size() + " pages, header counts " + expected);
        }
        return out;
    }

    /** Reads the next never-used page number. */
    public static long nextUnused(PageSource pages) {
        PageRef header = pages.fix(PageFormat.SPACE_HEADER_PAGE_NO, LatchMode.SHARED);
        try {
            return SpaceHeader.nextUnused(header.bytes());
        } finally {
            header.release();
        }
    }

    private static PageRef fixHeader(MiniTransaction mtr) {
        PageRef header = mtr.fix(PageFormat.SPACE_HEADER_PAGE_NO, LatchMode.EXCLUSIVE);
        byte[] h = header.bytes();
        if (PageFormat.type(h) != PageType.SPACE_HEADER || SpaceHeader.formatVersion(h) != SpaceHeader.FORMAT_VERSION) {
            throw new IllegalStateException("page 0 is " + PageFormat.type(h) + " with format version "
                    + SpaceHeader.formatVersion(h) + ", expected SPACE_HEADER version " + SpaceHeader.FORMAT_VERSION);
        }
        return header;
    }
}
