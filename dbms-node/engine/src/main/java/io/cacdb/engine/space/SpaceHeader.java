package io.cacdb.engine.space;

import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.page.PageType;

/**
 * Layout of page 0 of a volume ({@link PageType#SPACE_HEADER}): where the allocation state and the named roots live.
 *
 * <pre>
 * header special        head of the free list ({@link PageFormat#NO_PAGE} if empty); free pages link through
 *                       their header's nextPageNo
 * 64  u32  formatVersion {@link #FORMAT_VERSION}
 * 68  u32  reserved
 * 72  u64  nextUnused    lowest page number never allocated
 * 80  u64  freeCount     pages on the free list
 * 88  u64 × {@link #ROOT_SLOTS}  named roots (e.g. slot {@link #CATALOG_ROOT_SLOT}); {@link PageFormat#NO_PAGE} = unset
 * </pre>
 *
 * Read-only helpers; changes go through {@link PageAllocator} inside a mini-transaction.
 */
public final class SpaceHeader {

    private SpaceHeader() {
    }

    /** Bumped when this layout changes; a volume with another version is refused at open. */
    public static final int FORMAT_VERSION = 1;

    public static final int FORMAT_VERSION_OFFSET = PageFormat.HEADER_BYTES;
    public static final int NEXT_UNUSED_OFFSET = PageFormat.HEADER_BYTES + 8;
    public static final int FREE_COUNT_OFFSET = PageFormat.HEADER_BYTES + 16;
    public static final int ROOTS_OFFSET = PageFormat.HEADER_BYTES + 24;

    /**
     * Named roots: enough for the catalog's system tables (tables, columns, indexes, sequences, ...) with room to
     * grow; every other tree's root is stored in the catalog itself.
     */
    public static final int ROOT_SLOTS = 32;

    /** Root of the catalog tree. */
    public static final int CATALOG_ROOT_SLOT = 0;

    public static int formatVersion(byte[] page) {
        return PageFormat.getInt(page, FORMAT_VERSION_OFFSET);
    }

    public static long nextUnused(byte[] page) {
        return PageFormat.getLong(page, NEXT_UNUSED_OFFSET);
    }

    public static long freeCount(byte[] page) {
        return PageFormat.getLong(page, FREE_COUNT_OFFSET);
    }

    public static long freeListHead(byte[] page) {
        return PageFormat.getLong(page, PageFormat.SPECIAL_OFFSET);
    }

    public static long root(byte[] page, int slot) {
        return PageFormat.getLong(page, rootOffset(slot));
    }

    static int rootOffset(int slot) {
        if (slot < 0 || slot >= ROOT_SLOTS) {
            throw new IllegalArgumentException("root slot " + slot + " outside [0, " + ROOT_SLOTS + ")");
        }
        return ROOTS_OFFSET + slot * 8;
    }
}
