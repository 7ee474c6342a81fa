package io.cacdb.engine.page;

import io.cacdb.engine.page.SlottedPage.Cell;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The concrete page operations and their decoder. Codes are stable: they are in the log (see
 * {@code docs/wal-format.md}, PageRedo body) and must never be reused for another meaning. Every {@code apply} is a
 * deterministic function of the input image and never touches the pageLSN.
 *
 * <table>
 * <caption>op codes</caption>
 * <tr><th>code</th><th>op</th><th>body</th></tr>
 * <tr><td>1</td><td>{@link InitPage}</td><td>pageNo u64, type u8, ownerId u64, level u16, prev u64, next u64, special u64</td></tr>
 * <tr><td>2</td><td>{@link InsertCell}</td><td>slot u16, key length u16, key, value length u16, value</td></tr>
 * <tr><td>3</td><td>{@link DeleteCell}</td><td>slot u16</td></tr>
 * <tr><td>4</td><td>{@link UpdateCell}</td><td>slot u16, value length u16, value</td></tr>
 * <tr><td>5</td><td>{@link TruncateSlots}</td><td>fromSlot u16</td></tr>
 * <tr><td>6</td><td>{@link WriteBytes}</td><td>offset u16, length u16, bytes</td></tr>
 * <tr><td>7</td><td>{@link PageImage}</td><td>PAGE_SIZE_BYTES bytes</td></tr>
 * <tr><td>8</td><td>{@link InsertCells}</td><td>slot u16, count u16, count × (key length u16, key, value length u16, value)</td></tr>
 * <tr><td>9</td><td>{@link DeleteCells}</td><td>fromSlot u16, count u16</td></tr>
 * </table>
 */
public final class PageOps {

    private PageOps() {
    }

    public static final byte INIT_PAGE = 1;
    public static final byte INSERT_CELL = 2;
    public static final byte DELETE_CELL = 3;
    public static final byte UPDATE_CELL = 4;
    public static final byte TRUNCATE_SLOTS = 5;
    public static final byte WRITE_BYTES = 6;
    public static final byte PAGE_IMAGE = 7;
    public static final byte INSERT_CELLS = 8;
    public static final byte DELETE_CELLS = 9;

    /**
     * Decodes an op body written by {@link PageOp#encode}. The body's record passed its CRC, so malformed bytes here
     * mean a writer bug or a format mismatch: {@link IllegalArgumentException} naming the code and the problem.
     * The buffer must hold exactly the body.
     */
    public static PageOp decode(byte code, ByteBuffer body) {
        try {
            PageOp op = switch (code) {
                case INIT_PAGE -> new InitPage(body.getLong(), PageType.fromCode(body.get()), body.getLong(),
                        Short.toUnsignedInt(body.getShort()), body.getLong(), body.getLong(), body.getLong());
                case INSERT_CELL -> new InsertCell(u16(body), bytes(body), bytes(body));
                case DELETE_CELL -> new DeleteCell(u16(body));
                case UPDATE_CELL -> new UpdateCell(u16(body), bytes(body));
                case TRUNCATE_SLOTS -> new TruncateSlots(u16(body));
                case WRITE_BYTES -> new WriteBytes(u16(body), bytes(body));
                case PAGE_IMAGE -> {
                    byte[] image = new byte[PageFormat.PAGE_SIZE_BYTES];
                    body.get(image);
                    yield new PageImage(image);
                }
                case INSERT_CELLS -> {
                    int slot = u16(body);
                    int count = u16(body);
                    List<Cell> cells = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        cells.add(new Cell(bytes(body), bytes(body)));
                    }
                    yield new InsertCells(slot, cells);
                }
                case DELETE_CELLS -> new DeleteCells(u16(body), u16(body));
                default -> throw new IllegalArgumentException("unknown page op code " + code);
            };
            if (body.hasRemaining()) {
                throw new IllegalArgumentException("page op code " + code + " left " + body.remaining()
                        + " undecoded body bytes");
            }
            return op;
        } catch (BufferUnderflowException | NullPointerException e) {
            throw new IllegalArgumentException("page op code " + code + ": truncated or malformed body", e);
        }
    }

    private static int u16(ByteBuffer in) {
        return Short.toUnsignedInt(in.getShort());
    }

    private static byte[] bytes(ByteBuffer in) {
        byte[] b = new byte[u16(in)];
        in.get(b);
        return b;
    }

    private static void putU16(ByteBuffer out, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("u16 out of range: " + value);
        }
        out.putShort((short) value);
    }

    private static void putBytes(ByteBuffer out, byte[] b) {
        putU16(out, b.length);
        out.put(b);
    }

    /**
     * Makes the page an empty page of {@code type}: every byte but the pageLSN is cleared, then the header is set.
     * Used for new pages, reused pages, freed pages (type FREE, {@code next} = free-list link) and root rewrites.
     */
    public record InitPage(long pageNo, PageType type, long ownerId, int level, long prevPageNo, long nextPageNo,
                           long special) implements PageOp {
        public InitPage {
            Objects.requireNonNull(type, "type");
            if (level < 0 || level > 0xFFFF) {
                throw new IllegalArgumentException("level out of range: " + level);
            }
        }

        @Override
        public byte code() {
            return INIT_PAGE;
        }

        @Override
        public void apply(byte[] page) {
            long lsn = PageFormat.pageLsn(page);
            Arrays.fill(page, (byte) 0);
            PageFormat.putLong(page, PageFormat.PAGE_LSN_OFFSET, lsn);
            page[PageFormat.TYPE_OFFSET] = type.code();
            PageFormat.putU16(page, PageFormat.LEVEL_OFFSET, level);
            PageFormat.putLong(page, PageFormat.PAGE_NO_OFFSET, pageNo);
            PageFormat.putLong(page, PageFormat.OWNER_ID_OFFSET, ownerId);
            PageFormat.putLong(page, PageFormat.PREV_PAGE_OFFSET, prevPageNo);
            PageFormat.putLong(page, PageFormat.NEXT_PAGE_OFFSET, nextPageNo);
            PageFormat.putLong(page, PageFormat.SPECIAL_OFFSET, special);
            SlottedPage.initEmpty(page);
        }

        @Override
        public int encodedSize() {
            return 8 + 1 + 8 + 2 + 8 + 8 + 8;
        }

        @Override
        public void encode(ByteBuffer out) {
            out.putLong(pageNo).put(type.code()).putLong(ownerId).putShort((short) level).putLong(prevPageNo)
                    .putLong(nextPageNo).putLong(special);
        }
    }

    /** Inserts one cell so that it becomes {@code slot}. */
    public record InsertCell(int slot, byte[] key, byte[] value) implements PageOp {
        public InsertCell {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public byte code() {
            return INSERT_CELL;
        }

        @Override
        public void apply(byte[] page) {
            SlottedPage.insert(page, slot, key, value);
        }

        @Override
        public int encodedSize() {
            return 2 + 2 + key.length + 2 + value.length;
        }

        @Override
        public void encode(ByteBuffer out) {
            putU16(out, slot);
            putBytes(out, key);
            putBytes(out, value);
        }
    }

    /** Inserts a run of cells (already in key order) so that the first becomes {@code slot}: splits, merges. */
    public record InsertCells(int slot, List<Cell> cells) implements PageOp {
        public InsertCells {
            cells = List.copyOf(cells);
        }

        @Override
        public byte code() {
            return INSERT_CELLS;
        }

        @Override
        public void apply(byte[] page) {
            SlottedPage.insertAll(page, slot, cells);
        }

        @Override
        public int encodedSize() {
            int size = 4;
            for (Cell c : cells) {
                size += 4 + c.key().length + c.value().length;
            }
            return size;
        }

        @Override
        public void encode(ByteBuffer out) {
            putU16(out, slot);
            putU16(out, cells.size());
            for (Cell c : cells) {
                putBytes(out, c.key());
                putBytes(out, c.value());
            }
        }
    }

    public record DeleteCell(int slot) implements PageOp {
        @Override
        public byte code() {
            return DELETE_CELL;
        }

        @Override
        public void apply(byte[] page) {
            SlottedPage.delete(page, slot);
        }

        @Override
        public int encodedSize() {
            return 2;
        }

        @Override
        public void encode(ByteBuffer out) {
            putU16(out, slot);
        }
    }

    /** Removes {@code count} cells starting at {@code fromSlot}. */
    public record DeleteCells(int fromSlot, int count) implements PageOp {
        @Override
        public byte code() {
            return DELETE_CELLS;
        }

        @Override
        public void apply(byte[] page) {
            SlottedPage.deleteRange(page, fromSlot, fromSlot + count);
        }

        @Override
        public int encodedSize() {
            return 4;
        }

        @Override
        public void encode(ByteBuffer out) {
            putU16(out, fromSlot);
            putU16(out, count);
        }
    }

    /** Replaces the value of the cell in {@code slot}, keeping its key. */
    public record UpdateCell(int slot, byte[] value) implements PageOp {
        public UpdateCell {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public byte code() {
            return UPDATE_CELL;
        }

        @Override
        public void apply(byte[] page) {
            SlottedPage.updateValue(page, slot, value);
        }

        @Override
        public int encodedSize() {
            return 2 + 2 + value.length;
        }

        @Override
        public void encode(ByteBuffer out) {
            putU16(out, slot);
            putBytes(out, value);
        }
    }

    /** Removes every cell from {@code fromSlot} to the end (the half that moved to a new page in a split). */
    public record TruncateSlots(int fromSlot) implements PageOp {
        @Override
        public byte code() {
            return TRUNCATE_SLOTS;
        }

        @Override
        public void apply(byte[] page) {
            SlottedPage.deleteRange(page, fromSlot, SlottedPage.slotCount(page));
        }

        @Override
        public int encodedSize() {
            return 2;
        }

        @Override
        public void encode(ByteBuffer out) {
            putU16(out, fromSlot);
        }
    }

    /**
     * Writes raw bytes at {@code offset}: header fields (sibling links, the special field) and the space header's
     * allocation state. May not touch the checksum or the pageLSN, which belong to the write path and the MTR.
     */
    public record WriteBytes(int offset, byte[] bytes) implements PageOp {
        public WriteBytes {
            Objects.requireNonNull(bytes, "bytes");
            int end = offset + bytes.length;
            if (offset < PageFormat.TYPE_OFFSET || end > PageFormat.PAGE_SIZE_BYTES) {
                throw new IllegalArgumentException("WriteBytes [" + offset + ", " + end + ") outside the page body");
            }
            if (offset < PageFormat.PAGE_LSN_OFFSET + 8 && end > PageFormat.PAGE_LSN_OFFSET) {
                throw new IllegalArgumentException("WriteBytes [" + offset + ", " + end
                        + ") overlaps the pageLSN, which only the MTR sets");
            }
        }

        /** Writes one big-endian u64 field. */
        public static WriteBytes ofLong(int offset, long value) {
            byte[] b = new byte[8];
            PageFormat.putLong(b, 0, value);
            return new WriteBytes(offset, b);
        }

        @Override
        public byte code() {
            return WRITE_BYTES;
        }

        @Override
        public void apply(byte[] page) {
            System.arraycopy(bytes, 0, page, offset, bytes.length);
        }

        @Override
        public int encodedSize() {
            return 2 + 2 + bytes.length;
        }

        @Override
        public void encode(ByteBuffer out) {
            putU16(out, offset);
            putBytes(out, bytes);
        }
    }

    /** The whole page as given, except the pageLSN, which stays. */
    public record PageImage(byte[] image) implements PageOp {
        public PageImage {
            if (image.length != PageFormat.PAGE_SIZE_BYTES) {
                throw new IllegalArgumentException("page image of " + image.length + " bytes, expected "
                        + PageFormat.PAGE_SIZE_BYTES);
            }
        }

        @Override
        public byte code() {
            return PAGE_IMAGE;
        }

        @Override
        public void apply(byte[] page) {
            long lsn = PageFormat.pageLsn(page);
            System.arraycopy(image, 0, page, 0, PageFormat.PAGE_SIZE_BYTES);
            PageFormat.putLong(page, PageFormat.PAGE_LSN_OFFSET, lsn);
        }

        @Override
        public int encodedSize() {
            return PageFormat.PAGE_SIZE_BYTES;
        }

        @Override
        public void encode(ByteBuffer out) {
            out.put(image);
        }
    }
}
