package io.cacdb.archive.log;

import io.cacdb.archive.s3.ObjectCorruptException;
import io.cacdb.engine.wal.LogBlock;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * One archived piece of the log: the stream bytes {@code [startLsn, endLsn)} and, for every log block they touch,
 * the block's first-record offset (what {@code LogEnd} uses to find a record boundary). Epochs are not kept: the bytes
 * below a durable LSN are the log whatever epoch wrote them, and a restore writes them under one new epoch.
 *
 * <p>Object layout (big-endian): magic u32 "CARS", format u16 (1), reserved u16, volume u64, startLsn u64, endLsn u64,
 * block count u32, then one u16 first-record offset per block from {@code blockOf(startLsn)} to
 * {@code blockOf(endLsn - 1)}, then the stream bytes. Its SHA-256 is in its key ({@code ArchiveKeys.segment}).
 */
public record LogSegment(long volume, long startLsn, long endLsn, int[] firstRecordOffsets, byte[] stream) {

    static final int MAGIC = 0x43415253;
    static final int FORMAT_VERSION = 1;
    private static final int HEADER_BYTES = 4 + 2 + 2 + 8 + 8 + 8 + 4;

    public LogSegment {
        Objects.requireNonNull(firstRecordOffsets, "firstRecordOffsets");
        Objects.requireNonNull(stream, "stream");
        if (startLsn < 0 || endLsn <= startLsn || stream.length != endLsn - startLsn) {
            throw new IllegalArgumentException("segment [" + startLsn + ", " + endLsn + ") with " + stream.length
                    + " stream bytes");
        }
        long blocks = LogBlock.blockOf(endLsn - 1) - LogBlock.blockOf(startLsn) + 1;
        if (firstRecordOffsets.length != blocks) {
            throw new IllegalArgumentException("segment [" + startLsn + ", " + endLsn + ") touches " + blocks
                    + " blocks but has " + firstRecordOffsets.length + " first-record offsets");
        }
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + 2 * firstRecordOffsets.length + stream.length)
                .order(ByteOrder.BIG_ENDIAN);
        out.putInt(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) 0).putLong(volume).putLong(startLsn)
                .putLong(endLsn).putInt(firstRecordOffsets.length);
        for (int f : firstRecordOffsets) {
            out.putShort((short) f);
        }
        out.put(stream);
        return out.array();
    }

    /** Parses an object read from {@code url}; anything that does not add up is {@link ObjectCorruptException}. */
    public static LogSegment decode(byte[] bytes, String url) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        try {
            int magic = in.getInt();
            int format = in.getShort();
            in.getShort();
            if (magic != MAGIC || format != FORMAT_VERSION) {
                throw new ObjectCorruptException(url, "log segment", "magic 0x" + Integer.toHexString(magic)
                        + " format " + format);
            }
            long volume = in.getLong();
            long start = in.getLong();
            long end = in.getLong();
            int count = in.getInt();
            if (count < 0 || count > in.remaining() / 2) {
                throw new ObjectCorruptException(url, "log segment", "block count " + count);
            }
            int[] firsts = new int[count];
            for (int i = 0; i < count; i++) {
                firsts[i] = Short.toUnsignedInt(in.getShort());
            }
            if (end - start != in.remaining()) {
                throw new ObjectCorruptException(url, "log segment", "range [" + start + ", " + end + ") but "
                        + in.remaining() + " stream bytes");
            }
            byte[] stream = new byte[in.remaining()];
            in.get(stream);
            return new LogSegment(volume, start, end, firsts, stream);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new ObjectCorruptException(url, "log segment", e.toString());
        }
    }

    /** The first-record offset this segment recorded for {@code blockNo}, which it must touch. */
    public int firstRecordOffset(long blockNo) {
        return firstRecordOffsets[(int) (blockNo - LogBlock.blockOf(startLsn))];
    }
}
