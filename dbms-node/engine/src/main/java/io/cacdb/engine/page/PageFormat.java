package io.cacdb.engine.page;

import io.cacdb.dax.block.Checksums;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The fixed page layout every engine component agrees on: size, header fields and the page checksum. Pages are plain
 * {@code byte[PAGE_SIZE_BYTES]} arrays (buffer-pool frames); this class reads and writes their header fields.
 *
 * <pre>
 * offset size field
 *  0     4    checksum      CRC32C of bytes [4, PAGE_SIZE_BYTES), set just before a page is written to DAX
 *  4     1    type          {@link PageType}
 *  5     1    flags         reserved, 0
 *  6     2    level         B+tree level, 0 = leaf
 *  8     8    pageLsn       LSN of the end of the last log record applied to this page
 * 16     8    pageNo        the page's own number (checked on read: a misplaced page is corrupt)
 * 24     8    ownerId       id of the index that owns the page (0 for system pages)
 * 32     8    prevPageNo    left sibling ({@link #NO_PAGE} if none)
 * 40     8    nextPageNo    right sibling ({@link #NO_PAGE} if none)
 * 48     8    special       internal nodes: leftmost child; space header: free-list head
 * 56     2    slotCount     number of cells
 * 58     2    heapTop       offset where the cell heap starts (cells grow down from the page end)
 * 60     2    fragmented    bytes of dead cells inside the heap, reclaimed by compaction
 * 62     2    reserved      0
 * 64..        slot array    slotCount × u16 cell offsets, in key order
 * </pre>
 *
 * All integers are big-endian. Nothing here allocates.
 */
public final class PageFormat {

    private PageFormat() {
    }

    /** 8 KiB pages: the DESIGN §4 default; a B+tree fan-out of ~100-400 and one DAX write per page flush. */
    public static final int PAGE_SIZE_BYTES = 8192;

    /** Bytes of the fixed header; the slot array starts here. */
    public static final int HEADER_BYTES = 64;

    /** Page numbers are >= 0 and page 0 is the space header, which is never anyone's sibling or child. */
    public static final long NO_PAGE = 0;

    /** The page every volume starts with: allocation state and catalog roots. */
    public static final long SPACE_HEADER_PAGE_NO = 0;

    public static final int CHECKSUM_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int FLAGS_OFFSET = 5;
    public static final int LEVEL_OFFSET = 6;
    public static final int PAGE_LSN_OFFSET = 8;
    public static final int PAGE_NO_OFFSET = 16;
    public static final int OWNER_ID_OFFSET = 24;
    public static final int PREV_PAGE_OFFSET = 32;
    public static final int NEXT_PAGE_OFFSET = 40;
    public static final int SPECIAL_OFFSET = 48;
    public static final int SLOT_COUNT_OFFSET = 56;
    public static final int HEAP_TOP_OFFSET = 58;
    public static final int FRAGMENTED_OFFSET = 60;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    public static long getLong(byte[] page, int offset) {
        return (long) LONG.get(page, offset);
    }

    public static void putLong(byte[] page, int offset, long value) {
        LONG.set(page, offset, value);
    }

    public static int getInt(byte[] page, int offset) {
        return (int) INT.get(page, offset);
    }

    public static void putInt(byte[] page, int offset, int value) {
        INT.set(page, offset, value);
    }

    /** Unsigned 16-bit field. */
    public static int getU16(byte[] page, int offset) {
        return Short.toUnsignedInt((short) SHORT.get(page, offset));
    }

    public static void putU16(byte[] page, int offset, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("u16 field out of range: " + value);
        }
        SHORT.set(page, offset, (short) value);
    }

    public static long pageLsn(byte[] page) {
        return getLong(page, PAGE_LSN_OFFSET);
    }

    /** Sets the pageLSN; it never moves back (an invariant: redo and forward processing only move it forward). */
    public static void setPageLsn(byte[] page, long lsn) {
        long current = pageLsn(page);
        if (lsn < current) {
            throw new IllegalStateException("pageLSN must not move back: page " + pageNo(page) + " has " + current
                    + ", asked to set " + lsn);
        }
        putLong(page, PAGE_LSN_OFFSET, lsn);
    }

    public static long pageNo(byte[] page) {
        return getLong(page, PAGE_NO_OFFSET);
    }

    public static PageType type(byte[] page) {
        return PageType.fromCode(page[TYPE_OFFSET]);
    }

    public static int level(byte[] page) {
        return getU16(page, LEVEL_OFFSET);
    }

    public static long ownerId(byte[] page) {
        return getLong(page, OWNER_ID_OFFSET);
    }

    public static int slotCount(byte[] page) {
        return getU16(page, SLOT_COUNT_OFFSET);
    }

    /** CRC32C over everything but the checksum field itself. */
    public static int computeChecksum(byte[] page) {
        return Checksums.crc32c(page, 4, PAGE_SIZE_BYTES - 4);
    }

    /** Stamps the checksum; called on the copy that is about to be written, after the WAL rule was checked. */
    public static void stampChecksum(byte[] page) {
        putInt(page, CHECKSUM_OFFSET, computeChecksum(page));
    }

    /**
     * Whether bytes read from storage are a valid image of page {@code expectedPageNo}: right size, checksum matches,
     * known type, and the page says it is that page. An all-zero page (never written) is valid as a FREE page.
     */
    public static boolean isValidImage(byte[] page, long expectedPageNo) {
        if (page.length != PAGE_SIZE_BYTES) {
            return false;
        }
        if (getInt(page, CHECKSUM_OFFSET) != computeChecksum(page)) {
            return false;
        }
        return type(page) != null && pageNo(page) == expectedPageNo;
    }
}
