package io.cacdb.engine.page;

import io.cacdb.engine.error.RowTooLargeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cells in a page: static methods over a {@code byte[PAGE_SIZE_BYTES]} laid out per {@link PageFormat}.
 *
 * <p>Design note. A cell is {@code u16 keyLength, u16 valueLength, key, value}. Cells live in a heap that grows down
 * from the page end ({@code heapTop} is its lowest byte); the u16 slot array right after the header lists cell
 * offsets in key order, so inserting in the middle moves two bytes per later slot, never cell bytes. Deleting a cell
 * only drops its slot: the cell's bytes become dead and are counted in {@code fragmented} (unless the cell sat at
 * {@code heapTop}, in which case the heap just shrinks). When an insert finds enough free bytes in total but not
 * between the slot array and the heap, the page is compacted: live cells are rewritten in slot order from the page
 * end and the gap is zeroed. Every method is a pure function of the input image, so redo (which calls the same
 * code through {@link PageOps}) yields identical bytes.
 *
 * <p>Errors: the mutators throw {@link IllegalStateException} when a change does not fit. Callers check
 * {@link #fits} first (the B+tree splits instead), so such an exception is a programmer error, never an operating
 * one. Size limits for callers are {@link #MAX_CELL_BYTES} and {@link #MAX_KEY_BYTES}. Not thread-safe: callers
 * hold the page latch.
 */
public final class SlottedPage {

    private SlottedPage() {
    }

    /** One slot: a u16 cell offset. */
    public static final int SLOT_BYTES = 2;

    /** {@code u16 keyLength, u16 valueLength} in front of every cell. */
    public static final int CELL_HEADER_BYTES = 4;

    /** Bytes after the header shared by the slot array and the cell heap. */
    public static final int USABLE_BYTES = PageFormat.PAGE_SIZE_BYTES - PageFormat.HEADER_BYTES;

    /**
     * Every page must hold at least this many cells: a B+tree split of a full page plus one cell then always leaves
     * two non-empty halves that fit, and an internal node always has fan-out of at least this many.
     */
    public static final int MIN_CELLS_PER_PAGE = 4;

    /** Largest cell (header + key + value): {@link #MIN_CELLS_PER_PAGE} of them, with slots, fill a page exactly. */
    public static final int MAX_CELL_BYTES = USABLE_BYTES / MIN_CELLS_PER_PAGE - SLOT_BYTES;

    /**
     * Largest key. Keys are copied into internal nodes as separators (with an 8-byte child page number), so this
     * bounds internal cells well below {@link #MAX_CELL_BYTES} and keeps the fan-out of internal nodes at 7 or more
     * even with maximal keys; 1 KiB also holds any realistic composite SQL index key.
     */
    public static final int MAX_KEY_BYTES = 1024;

    /** A key plus value of at most this many bytes fits one cell. */
    public static final int MAX_KEY_AND_VALUE_BYTES = MAX_CELL_BYTES - CELL_HEADER_BYTES;

    static {
        if (MAX_KEY_BYTES + CELL_HEADER_BYTES + Long.BYTES > MAX_CELL_BYTES) {
            throw new ExceptionInInitializerError("MAX_KEY_BYTES " + MAX_KEY_BYTES
                    + " does not leave room for an internal cell within MAX_CELL_BYTES " + MAX_CELL_BYTES);
        }
    }

    /** Bytes a cell of these lengths occupies in the heap (its slot not included). */
    public static int cellBytes(int keyLength, int valueLength) {
        return CELL_HEADER_BYTES + keyLength + valueLength;
    }

    /** Throws {@link RowTooLargeException} unless a cell with this key and value fits the limits. */
    public static void checkCellLimits(int keyLength, int valueLength) {
        if (keyLength > MAX_KEY_BYTES) {
            throw new RowTooLargeException("key", keyLength, MAX_KEY_BYTES);
        }
        if (keyLength + valueLength > MAX_KEY_AND_VALUE_BYTES) {
            throw new RowTooLargeException("key plus value", keyLength + valueLength, MAX_KEY_AND_VALUE_BYTES);
        }
    }

    /** Empties the cell area: no slots, empty heap. Leaves the rest of the header alone. */
    public static void initEmpty(byte[] page) {
        PageFormat.putU16(page, PageFormat.SLOT_COUNT_OFFSET, 0);
        putHeapTop(page, PageFormat.PAGE_SIZE_BYTES);
        PageFormat.putU16(page, PageFormat.FRAGMENTED_OFFSET, 0);
    }

    public static int slotCount(byte[] page) {
        return PageFormat.slotCount(page);
    }

    /** The heap top; a page of zeroes (never initialised) reads as an empty heap. */
    public static int heapTop(byte[] page) {
        int top = PageFormat.getU16(page, PageFormat.HEAP_TOP_OFFSET);
        return top == 0 ? PageFormat.PAGE_SIZE_BYTES : top;
    }

    // PAGE_SIZE_BYTES (8192) fits a u16 field; 0 is never a valid heap top, so it stands for "empty heap".
    private static void putHeapTop(byte[] page, int top) {
        PageFormat.putU16(page, PageFormat.HEAP_TOP_OFFSET, top);
    }

    public static int fragmentedBytes(byte[] page) {
        return PageFormat.getU16(page, PageFormat.FRAGMENTED_OFFSET);
    }

    private static int slotArrayEnd(byte[] page) {
        return PageFormat.HEADER_BYTES + slotCount(page) * SLOT_BYTES;
    }

    /** Free bytes between the slot array and the heap. */
    public static int contiguousFreeBytes(byte[] page) {
        return heapTop(page) - slotArrayEnd(page);
    }

    /** All free bytes, including dead cells that compaction would reclaim. */
    public static int freeBytes(byte[] page) {
        return contiguousFreeBytes(page) + fragmentedBytes(page);
    }

    /** Bytes in use by live cells and their slots. */
    public static int usedBytes(byte[] page) {
        return USABLE_BYTES - freeBytes(page);
    }

    /** Whether a cell of {@code cellBytes} (plus its slot) can be inserted, compacting if needed. */
    public static boolean fits(byte[] page, int cellBytes) {
        return freeBytes(page) >= cellBytes + SLOT_BYTES;
    }

    private static void checkSlot(byte[] page, int slot, int count) {
        if (slot < 0 || slot >= count) {
            throw new IllegalStateException("slot " + slot + " outside [0, " + count + ") on page "
                    + PageFormat.pageNo(page));
        }
    }

    public static int cellOffset(byte[] page, int slot) {
        checkSlot(page, slot, slotCount(page));
        return PageFormat.getU16(page, PageFormat.HEADER_BYTES + slot * SLOT_BYTES);
    }

    public static int keyLength(byte[] page, int slot) {
        return PageFormat.getU16(page, cellOffset(page, slot));
    }

    public static int valueLength(byte[] page, int slot) {
        return PageFormat.getU16(page, cellOffset(page, slot) + 2);
    }

    /** Heap bytes of the cell in {@code slot}. */
    public static int cellBytesAt(byte[] page, int slot) {
        int off = cellOffset(page, slot);
        return cellBytes(PageFormat.getU16(page, off), PageFormat.getU16(page, off + 2));
    }

    public static byte[] key(byte[] page, int slot) {
        int off = cellOffset(page, slot);
        int keyLength = PageFormat.getU16(page, off);
        return Arrays.copyOfRange(page, off + CELL_HEADER_BYTES, off + CELL_HEADER_BYTES + keyLength);
    }

    public static byte[] value(byte[] page, int slot) {
        int off = cellOffset(page, slot);
        int keyLength = PageFormat.getU16(page, off);
        int valueLength = PageFormat.getU16(page, off + 2);
        int start = off + CELL_HEADER_BYTES + keyLength;
        return Arrays.copyOfRange(page, start, start + valueLength);
    }

    /** The value read as a big-endian u64 (internal nodes store child page numbers this way). */
    public static long valueAsLong(byte[] page, int slot) {
        int off = cellOffset(page, slot);
        int keyLength = PageFormat.getU16(page, off);
        int valueLength = PageFormat.getU16(page, off + 2);
        if (valueLength != Long.BYTES) {
            throw new IllegalStateException("cell " + slot + " of page " + PageFormat.pageNo(page) + " has a "
                    + valueLength + "-byte value, expected " + Long.BYTES);
        }
        return PageFormat.getLong(page, off + CELL_HEADER_BYTES + keyLength);
    }

    /** Unsigned byte-wise comparison of the key in {@code slot} with {@code key}. */
    public static int compareKey(byte[] page, int slot, byte[] key) {
        int off = cellOffset(page, slot);
        int keyLength = PageFormat.getU16(page, off);
        int start = off + CELL_HEADER_BYTES;
        return Arrays.compareUnsigned(page, start, start + keyLength, key, 0, key.length);
    }

    /**
     * Binary search over the slots: the slot holding {@code key}, or {@code -(insertionPoint + 1)} if absent (as
     * {@link Arrays#binarySearch}).
     */
    public static int search(byte[] page, byte[] key) {
        int lo = 0;
        int hi = slotCount(page) - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareKey(page, mid, key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** A key and a value, as copied out of or into a page. */
    public record Cell(byte[] key, byte[] value) {
        public int bytes() {
            return cellBytes(key.length, value.length);
        }

        /** Heap bytes plus the slot. */
        public int bytesWithSlot() {
            return bytes() + SLOT_BYTES;
        }
    }

    public static Cell cell(byte[] page, int slot) {
        return new Cell(key(page, slot), value(page, slot));
    }

    /** Copies of the cells in slots {@code [from, to)}. */
    public static List<Cell> cells(byte[] page, int from, int to) {
        List<Cell> out = new ArrayList<>(Math.max(0, to - from));
        for (int s = from; s < to; s++) {
            out.add(cell(page, s));
        }
        return out;
    }

    public static List<Cell> cells(byte[] page) {
        return cells(page, 0, slotCount(page));
    }

    /** Inserts a cell so that it becomes {@code slot}; later slots shift up by one. */
    public static void insert(byte[] page, int slot, byte[] key, byte[] value) {
        int count = slotCount(page);
        if (slot < 0 || slot > count) {
            throw new IllegalStateException("insert slot " + slot + " outside [0, " + count + "] on page "
                    + PageFormat.pageNo(page));
        }
        int size = cellBytes(key.length, value.length);
        if (size > MAX_CELL_BYTES) {
            throw new IllegalStateException("cell of " + size + " bytes exceeds MAX_CELL_BYTES " + MAX_CELL_BYTES);
        }
        if (!fits(page, size)) {
            throw new IllegalStateException("page " + PageFormat.pageNo(page) + " has " + freeBytes(page)
                    + " free bytes, a cell needs " + (size + SLOT_BYTES));
        }
        if (contiguousFreeBytes(page) < size + SLOT_BYTES) {
            compact(page);
        }
        int off = heapTop(page) - size;
        PageFormat.putU16(page, off, key.length);
        PageFormat.putU16(page, off + 2, value.length);
        System.arraycopy(key, 0, page, off + CELL_HEADER_BYTES, key.length);
        System.arraycopy(value, 0, page, off + CELL_HEADER_BYTES + key.length, value.length);
        putHeapTop(page, off);
        int slotPos = PageFormat.HEADER_BYTES + slot * SLOT_BYTES;
        System.arraycopy(page, slotPos, page, slotPos + SLOT_BYTES, (count - slot) * SLOT_BYTES);
        PageFormat.putU16(page, slotPos, off);
        PageFormat.putU16(page, PageFormat.SLOT_COUNT_OFFSET, count + 1);
    }

    /** Inserts cells so that the first becomes {@code slot}; they must be in key order relative to the page. */
    public static void insertAll(byte[] page, int slot, List<Cell> cells) {
        int total = 0;
        for (Cell c : cells) {
            total += c.bytesWithSlot();
        }
        if (total > freeBytes(page)) {
            throw new IllegalStateException("page " + PageFormat.pageNo(page) + " has " + freeBytes(page)
                    + " free bytes, " + cells.size() + " cells need " + total);
        }
        if (contiguousFreeBytes(page) < total) {
            compact(page);
        }
        for (int i = 0; i < cells.size(); i++) {
            insert(page, slot + i, cells.get(i).key(), cells.get(i).value());
        }
    }

    /** Removes the cell in {@code slot}; later slots shift down by one. */
    public static void delete(byte[] page, int slot) {
        deleteRange(page, slot, slot + 1);
    }

    /** Removes the cells in slots {@code [from, to)}. */
    public static void deleteRange(byte[] page, int from, int to) {
        int count = slotCount(page);
        if (from < 0 || from > to || to > count) {
            throw new IllegalStateException("delete range [" + from + ", " + to + ") outside [0, " + count
                    + "] on page " + PageFormat.pageNo(page));
        }
        int heapTop = heapTop(page);
        int fragmented = fragmentedBytes(page);
        for (int s = from; s < to; s++) {
            int off = cellOffset(page, s);
            int size = cellBytesAt(page, s);
            if (off == heapTop) {
                heapTop += size;
            } else {
                fragmented += size;
            }
        }
        int fromPos = PageFormat.HEADER_BYTES + from * SLOT_BYTES;
        int toPos = PageFormat.HEADER_BYTES + to * SLOT_BYTES;
        System.arraycopy(page, toPos, page, fromPos, (count - to) * SLOT_BYTES);
        int newCount = count - (to - from);
        // Clear the vacated tail of the slot array so that free space holds no stale offsets.
        Arrays.fill(page, PageFormat.HEADER_BYTES + newCount * SLOT_BYTES, toPos + (count - to) * SLOT_BYTES, (byte) 0);
        PageFormat.putU16(page, PageFormat.SLOT_COUNT_OFFSET, newCount);
        putHeapTop(page, heapTop);
        PageFormat.putU16(page, PageFormat.FRAGMENTED_OFFSET, fragmented);
    }

    /** Replaces the value in {@code slot}; in place when the length is unchanged, else as delete plus insert. */
    public static void updateValue(byte[] page, int slot, byte[] value) {
        int off = cellOffset(page, slot);
        int keyLength = PageFormat.getU16(page, off);
        int oldLength = PageFormat.getU16(page, off + 2);
        if (oldLength == value.length) {
            System.arraycopy(value, 0, page, off + CELL_HEADER_BYTES + keyLength, value.length);
            return;
        }
        int oldSize = cellBytes(keyLength, oldLength);
        int newSize = cellBytes(keyLength, value.length);
        if (freeBytes(page) + oldSize < newSize) {
            throw new IllegalStateException("page " + PageFormat.pageNo(page) + " cannot grow cell " + slot
                    + " from " + oldSize + " to " + newSize + " bytes with " + freeBytes(page) + " free");
        }
        byte[] key = key(page, slot);
        delete(page, slot);
        insert(page, slot, key, value);
    }

    /**
     * Rewrites the live cells contiguously at the page end in slot order and zeroes the gap: afterwards
     * {@code fragmented == 0}. Deterministic in the input image.
     */
    public static void compact(byte[] page) {
        int count = slotCount(page);
        byte[] heap = new byte[PageFormat.PAGE_SIZE_BYTES];
        int top = PageFormat.PAGE_SIZE_BYTES;
        int[] offsets = new int[count];
        for (int s = 0; s < count; s++) {
            int off = cellOffset(page, s);
            int size = cellBytesAt(page, s);
            top -= size;
            System.arraycopy(page, off, heap, top, size);
            offsets[s] = top;
        }
        int slotEnd = slotArrayEnd(page);
        Arrays.fill(page, slotEnd, top, (byte) 0);
        System.arraycopy(heap, top, page, top, PageFormat.PAGE_SIZE_BYTES - top);
        for (int s = 0; s < count; s++) {
            PageFormat.putU16(page, PageFormat.HEADER_BYTES + s * SLOT_BYTES, offsets[s]);
        }
        putHeapTop(page, top);
        PageFormat.putU16(page, PageFormat.FRAGMENTED_OFFSET, 0);
    }

    /**
     * Checks the cell area's own consistency: slot array and heap do not overlap, every cell lies inside the heap,
     * no two cells overlap, and {@code fragmented} equals the dead bytes of the heap. Throws
     * {@link IllegalStateException} naming the page and the broken rule. Does not check key order (the B+tree does).
     */
    public static void check(byte[] page) {
        long pageNo = PageFormat.pageNo(page);
        int count = slotCount(page);
        int heapTop = heapTop(page);
        int slotEnd = slotArrayEnd(page);
        if (slotEnd > heapTop) {
            throw new IllegalStateException("page " + pageNo + ": slot array ends at " + slotEnd
                    + " past heap top " + heapTop);
        }
        int[][] extents = new int[count][];
        int live = 0;
        for (int s = 0; s < count; s++) {
            int off = PageFormat.getU16(page, PageFormat.HEADER_BYTES + s * SLOT_BYTES);
            if (off < heapTop || off + CELL_HEADER_BYTES > PageFormat.PAGE_SIZE_BYTES) {
                throw new IllegalStateException("page " + pageNo + ": slot " + s + " offset " + off
                        + " outside heap [" + heapTop + ", " + PageFormat.PAGE_SIZE_BYTES + ")");
            }
            int size = cellBytes(PageFormat.getU16(page, off), PageFormat.getU16(page, off + 2));
            if (off + size > PageFormat.PAGE_SIZE_BYTES) {
                throw new IllegalStateException("page " + pageNo + ": cell " + s + " at " + off + " of " + size
                        + " bytes runs past the page end");
            }
            extents[s] = new int[] {off, off + size};
            live += size;
        }
        Arrays.sort(extents, (a, b) -> Integer.compare(a[0], b[0]));
        for (int i = 1; i < count; i++) {
            if (extents[i][0] < extents[i - 1][1]) {
                throw new IllegalStateException("page " + pageNo + ": cells at " + extents[i - 1][0] + " and "
                        + extents[i][0] + " overlap");
            }
        }
        int dead = PageFormat.PAGE_SIZE_BYTES - heapTop - live;
        if (dead != fragmentedBytes(page)) {
            throw new IllegalStateException("page " + pageNo + ": fragmented field says " + fragmentedBytes(page)
                    + " but the heap holds " + dead + " dead bytes");
        }
    }
}
