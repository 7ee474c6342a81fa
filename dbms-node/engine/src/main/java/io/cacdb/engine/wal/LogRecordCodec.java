package io.cacdb.engine.wal;

import io.cacdb.engine.page.PageOp;
import io.cacdb.engine.wal.LogRecord.ActiveTxn;
import io.cacdb.engine.wal.LogRecord.DirtyPage;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes single log records in the layout of {@code docs/wal-format.md}: a 24-byte header (length, type,
 * flags, reserved, txnId, prevLSN), the body, and a CRC32C of everything before it. All integers are big-endian.
 *
 * <p>Decoding validates everything a reader can check without context — length bounds, known type, known flags,
 * zero reserved bytes, the checksum, a body that is consumed exactly, header fields that the record type cannot
 * carry — and reports a failure as {@link CorruptLogException} naming the record's LSN. Stateless and thread-safe.
 */
public final class LogRecordCodec {

    /** Header bytes before the body: length u32, type u8, flags u8, reserved u16, txnId u64, prevLSN u64. */
    public static final int HEADER_BYTES = 24;
    /** The trailing CRC32C. */
    public static final int CRC_BYTES = 4;
    /** The smallest record: an empty body (Abort). */
    public static final int MIN_RECORD_BYTES = HEADER_BYTES + CRC_BYTES;
    /**
     * The largest record, 4 MiB. The biggest records are checkpoints (16 bytes per dirty page, 24 per active
     * transaction): 4 MiB holds a quarter of a million dirty pages. A reader that sees a larger length knows the
     * length field is garbage instead of trying to assemble gigabytes; the log buffer is sized to hold one.
     */
    public static final int MAX_RECORD_BYTES = 4 << 20;

    /** Flag bit: this record is the last of its mini-transaction. */
    public static final int FLAG_MTR_END = 0x01;

    static final byte TYPE_PAGE_REDO = 1;
    static final byte TYPE_UNDO = 2;
    static final byte TYPE_COMPENSATION = 3;
    static final byte TYPE_COMMIT = 4;
    static final byte TYPE_ABORT = 5;
    static final byte TYPE_CHECKPOINT = 6;
    static final byte TYPE_FLUSH_WATERMARK = 7;
    static final byte TYPE_EPOCH_START = 8;

    private static final int MAX_KEY_BYTES = 0xFFFF;

    /** A decoded record with its header flag and its encoded length. */
    public record Decoded(LogRecord record, boolean mtrEnd, int length) {
    }

    private final PageOpDecoder pageOps;

    public LogRecordCodec(PageOpDecoder pageOps) {
        this.pageOps = Objects.requireNonNull(pageOps, "pageOps");
    }

    /** Bytes {@link #encode} writes for {@code record}, header and CRC included. */
    public static int encodedSize(LogRecord record) {
        return HEADER_BYTES + bodySize(record) + CRC_BYTES;
    }

    /** The record's encoding as a new array. */
    public static byte[] encode(LogRecord record, boolean mtrEnd) {
        byte[] out = new byte[encodedSize(record)];
        encode(record, mtrEnd, ByteBuffer.wrap(out));
        return out;
    }

    /**
     * Writes the record at {@code out}'s position and advances it by {@link #encodedSize}. Throws
     * {@link IllegalArgumentException} for a record that cannot be encoded (over {@link #MAX_RECORD_BYTES}, a key
     * longer than 65535 bytes) — a caller's error, caught before anything reaches the log.
     */
    public static void encode(LogRecord record, boolean mtrEnd, ByteBuffer out) {
        int size = encodedSize(record);
        if (size > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("record of " + size + " bytes exceeds MAX_RECORD_BYTES "
                    + MAX_RECORD_BYTES + ": " + record.getClass().getSimpleName());
        }
        if (out.remaining() < size) {
            throw new IllegalArgumentException("buffer has " + out.remaining() + " bytes, record needs " + size);
        }
        ByteBuffer b = out.slice(out.position(), size).order(ByteOrder.BIG_ENDIAN);
        b.putInt(size);
        b.put(typeOf(record));
        b.put((byte) (mtrEnd ? FLAG_MTR_END : 0));
        b.putShort((short) 0);
        b.putLong(record.txnId());
        b.putLong(prevLsnOf(record));
        switch (record) {
            case LogRecord.PageRedo r -> {
                b.putLong(r.pageNo());
                b.put(r.op().code());
                int before = b.position();
                r.op().encode(b);
                int written = b.position() - before;
                if (written != r.op().encodedSize()) {
                    throw new IllegalStateException("PageOp " + r.op() + " wrote " + written
                            + " bytes but encodedSize() says " + r.op().encodedSize());
                }
            }
            case LogRecord.Undo r -> {
                b.putLong(r.indexId());
                b.put(undoKindCode(r.kind()));
                b.putShort((short) r.key().length);
                b.put(r.key());
                b.putInt(r.oldValue().length);
                b.put(r.oldValue());
            }
            case LogRecord.Compensation r -> b.putLong(r.undoNextLsn());
            case LogRecord.Commit r -> b.putLong(r.commitTimeMicros());
            case LogRecord.Abort r -> {
                // No body: txnId and prevLSN are in the header.
            }
            case LogRecord.Checkpoint r -> {
                b.putLong(r.redoStartLsn());
                b.putInt(r.dirtyPages().size());
                for (DirtyPage d : r.dirtyPages()) {
                    b.putLong(d.pageNo());
                    b.putLong(d.recLsn());
                }
                b.putInt(r.activeTxns().size());
                for (ActiveTxn t : r.activeTxns()) {
                    b.putLong(t.txnId());
                    b.putLong(t.lastLsn());
                    b.putLong(t.undoNextLsn());
                }
            }
            case LogRecord.FlushWatermark r -> b.putLong(r.lsn());
            case LogRecord.EpochStart r -> {
                b.putLong(r.epoch());
                b.putLong(r.startLsn());
            }
        }
        if (b.position() != size - CRC_BYTES) {
            throw new IllegalStateException("encoded " + b.position() + " bytes before the CRC, expected "
                    + (size - CRC_BYTES) + " for " + record.getClass().getSimpleName());
        }
        b.putInt(crc(b, 0, size - CRC_BYTES));
        out.position(out.position() + size);
    }

    /**
     * The length field of the record starting at {@code in}'s position, without consuming anything, or -1 if fewer
     * than 4 bytes remain. Throws {@link CorruptLogException} if the length is outside
     * [{@link #MIN_RECORD_BYTES}, {@link #MAX_RECORD_BYTES}].
     */
    public static int peekLength(ByteBuffer in, long lsn) {
        if (in.remaining() < Integer.BYTES) {
            return -1;
        }
        int length = in.order(ByteOrder.BIG_ENDIAN).getInt(in.position());
        if (length < MIN_RECORD_BYTES || length > MAX_RECORD_BYTES) {
            throw new CorruptLogException(lsn, "record length " + length + " outside [" + MIN_RECORD_BYTES + ", "
                    + MAX_RECORD_BYTES + "]");
        }
        return length;
    }

    /**
     * Decodes the record at {@code in}'s position, which sits at stream offset {@code lsn}, and advances past it. The
     * buffer must hold the whole record: fewer bytes than its length field says is reported as truncated.
     */
    public Decoded decode(ByteBuffer in, long lsn) {
        int length = peekLength(in, lsn);
        if (length < 0 || in.remaining() < length) {
            throw new CorruptLogException(lsn, "truncated record: " + in.remaining() + " bytes available, length "
                    + (length < 0 ? "unreadable" : String.valueOf(length)));
        }
        ByteBuffer b = in.slice(in.position(), length).order(ByteOrder.BIG_ENDIAN);
        int storedCrc = b.getInt(length - CRC_BYTES);
        int computedCrc = crc(b, 0, length - CRC_BYTES);
        if (storedCrc != computedCrc) {
            throw new CorruptLogException(lsn, "record CRC32C mismatch: stored " + Integer.toHexString(storedCrc)
                    + ", computed " + Integer.toHexString(computedCrc) + " over " + length + " bytes");
        }
        b.position(Integer.BYTES);
        byte type = b.get();
        int flags = b.get() & 0xFF;
        short reserved = b.getShort();
        long txnId = b.getLong();
        long prevLsn = b.getLong();
        if ((flags & ~FLAG_MTR_END) != 0) {
            throw new CorruptLogException(lsn, "unknown flags 0x" + Integer.toHexString(flags));
        }
        if (reserved != 0) {
            throw new CorruptLogException(lsn, "reserved header bytes are " + reserved + ", expected 0");
        }
        ByteBuffer body = b.slice(HEADER_BYTES, length - HEADER_BYTES - CRC_BYTES).order(ByteOrder.BIG_ENDIAN);
        LogRecord record;
        try {
            record = decodeBody(type, txnId, prevLsn, body, lsn);
        } catch (BufferUnderflowException e) {
            throw new CorruptLogException(lsn, "body of type " + type + " shorter than its fields", e);
        }
        if (body.hasRemaining()) {
            throw new CorruptLogException(lsn, body.remaining() + " unread bytes after the body of type " + type);
        }
        in.position(in.position() + length);
        return new Decoded(record, (flags & FLAG_MTR_END) != 0, length);
    }

    private LogRecord decodeBody(byte type, long txnId, long prevLsn, ByteBuffer body, long lsn) {
        return switch (type) {
            case TYPE_PAGE_REDO -> {
                requireZero(prevLsn, "prevLSN", type, lsn);
                long pageNo = body.getLong();
                byte code = body.get();
                ByteBuffer opBody = body.slice().order(ByteOrder.BIG_ENDIAN);
                int opBytes = opBody.remaining();
                PageOp op;
                try {
                    op = pageOps.decode(code, opBody.asReadOnlyBuffer());
                } catch (IllegalArgumentException | BufferUnderflowException e) {
                    throw new CorruptLogException(lsn, "page op code " + code + " (" + opBytes
                            + " bytes) does not decode: " + e.getMessage(), e);
                }
                if (op == null || op.code() != code || op.encodedSize() != opBytes) {
                    throw new CorruptLogException(lsn, "page op code " + code + " of " + opBytes
                            + " bytes decoded to " + op);
                }
                body.position(body.limit());
                yield new LogRecord.PageRedo(txnId, pageNo, op);
            }
            case TYPE_UNDO -> {
                long indexId = body.getLong();
                LogRecord.UndoKind kind = undoKind(body.get(), lsn);
                byte[] key = new byte[Short.toUnsignedInt(body.getShort())];
                body.get(key);
                int oldLen = body.getInt();
                if (oldLen < 0 || oldLen > body.remaining()) {
                    throw new CorruptLogException(lsn, "undo old value length " + oldLen + " but "
                            + body.remaining() + " bytes remain");
                }
                byte[] oldValue = new byte[oldLen];
                body.get(oldValue);
                yield new LogRecord.Undo(txnId, prevLsn, indexId, kind, key, oldValue);
            }
            case TYPE_COMPENSATION -> new LogRecord.Compensation(txnId, prevLsn, body.getLong());
            case TYPE_COMMIT -> new LogRecord.Commit(txnId, prevLsn, body.getLong());
            case TYPE_ABORT -> new LogRecord.Abort(txnId, prevLsn);
            case TYPE_CHECKPOINT -> {
                requireZero(txnId, "txnId", type, lsn);
                requireZero(prevLsn, "prevLSN", type, lsn);
                long redoStart = body.getLong();
                int dirtyCount = count(body.getInt(), 16, body, lsn);
                List<DirtyPage> dirty = new ArrayList<>(dirtyCount);
                for (int i = 0; i < dirtyCount; i++) {
                    dirty.add(new DirtyPage(body.getLong(), body.getLong()));
                }
                int activeCount = count(body.getInt(), 24, body, lsn);
                List<ActiveTxn> active = new ArrayList<>(activeCount);
                for (int i = 0; i < activeCount; i++) {
                    active.add(new ActiveTxn(body.getLong(), body.getLong(), body.getLong()));
                }
                yield new LogRecord.Checkpoint(redoStart, dirty, active);
            }
            case TYPE_FLUSH_WATERMARK -> {
                requireZero(txnId, "txnId", type, lsn);
                requireZero(prevLsn, "prevLSN", type, lsn);
                yield new LogRecord.FlushWatermark(body.getLong());
            }
            case TYPE_EPOCH_START -> {
                requireZero(txnId, "txnId", type, lsn);
                requireZero(prevLsn, "prevLSN", type, lsn);
                yield new LogRecord.EpochStart(body.getLong(), body.getLong());
            }
            default -> throw new CorruptLogException(lsn, "unknown record type " + type);
        };
    }

    private static int count(int count, int entryBytes, ByteBuffer body, long lsn) {
        if (count < 0 || (long) count * entryBytes > body.remaining()) {
            throw new CorruptLogException(lsn, "checkpoint entry count " + count + " of " + entryBytes
                    + " bytes each, but " + body.remaining() + " bytes remain");
        }
        return count;
    }

    private static void requireZero(long value, String field, byte type, long lsn) {
        if (value != 0) {
            throw new CorruptLogException(lsn, field + " is " + value + " but records of type " + type
                    + " carry none");
        }
    }

    private static int bodySize(LogRecord record) {
        return switch (record) {
            case LogRecord.PageRedo r -> Long.BYTES + 1 + r.op().encodedSize();
            case LogRecord.Undo r -> {
                if (r.key().length > MAX_KEY_BYTES) {
                    throw new IllegalArgumentException("undo key of " + r.key().length
                            + " bytes exceeds the u16 length field (" + MAX_KEY_BYTES + ")");
                }
                yield Long.BYTES + 1 + Short.BYTES + r.key().length + Integer.BYTES + r.oldValue().length;
            }
            case LogRecord.Compensation r -> Long.BYTES;
            case LogRecord.Commit r -> Long.BYTES;
            case LogRecord.Abort r -> 0;
            case LogRecord.Checkpoint r -> Long.BYTES + Integer.BYTES + 16 * r.dirtyPages().size()
                    + Integer.BYTES + 24 * r.activeTxns().size();
            case LogRecord.FlushWatermark r -> Long.BYTES;
            case LogRecord.EpochStart r -> 2 * Long.BYTES;
        };
    }

    private static byte typeOf(LogRecord record) {
        return switch (record) {
            case LogRecord.PageRedo r -> TYPE_PAGE_REDO;
            case LogRecord.Undo r -> TYPE_UNDO;
            case LogRecord.Compensation r -> TYPE_COMPENSATION;
            case LogRecord.Commit r -> TYPE_COMMIT;
            case LogRecord.Abort r -> TYPE_ABORT;
            case LogRecord.Checkpoint r -> TYPE_CHECKPOINT;
            case LogRecord.FlushWatermark r -> TYPE_FLUSH_WATERMARK;
            case LogRecord.EpochStart r -> TYPE_EPOCH_START;
        };
    }

    /** The transaction's previous record for the types that chain; 0 for the others. */
    static long prevLsnOf(LogRecord record) {
        return switch (record) {
            case LogRecord.Undo r -> r.prevLsn();
            case LogRecord.Compensation r -> r.prevLsn();
            case LogRecord.Commit r -> r.prevLsn();
            case LogRecord.Abort r -> r.prevLsn();
            default -> 0;
        };
    }

    private static byte undoKindCode(LogRecord.UndoKind kind) {
        return switch (kind) {
            case UNDO_INSERT -> 1;
            case UNDO_UPDATE -> 2;
            case UNDO_DELETE -> 3;
        };
    }

    private static LogRecord.UndoKind undoKind(byte code, long lsn) {
        return switch (code) {
            case 1 -> LogRecord.UndoKind.UNDO_INSERT;
            case 2 -> LogRecord.UndoKind.UNDO_UPDATE;
            case 3 -> LogRecord.UndoKind.UNDO_DELETE;
            default -> throw new CorruptLogException(lsn, "unknown undo kind " + code);
        };
    }

    private static int crc(ByteBuffer b, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(b.slice(from, length));
        return (int) crc.getValue();
    }
}
