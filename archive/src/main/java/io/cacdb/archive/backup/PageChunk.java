package io.cacdb.archive.backup;

import io.cacdb.archive.s3.ObjectCorruptException;
import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The pages of one backup chunk object. Layout (big-endian): magic u32 "CBKC", format u16 (1), reserved u16, count
 * u32, then per page {@code pageNo u64, version major u64, version minor u64, length u32, bytes}. The backup manifest
 * holds the chunk's SHA-256, checked before a chunk is used.
 */
public final class PageChunk {

    static final int MAGIC = 0x43424B43;
    static final int FORMAT_VERSION = 1;

    private PageChunk() {
    }

    public static byte[] encode(List<Block> pages) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeShort(FORMAT_VERSION);
            out.writeShort(0);
            out.writeInt(pages.size());
            for (Block b : pages) {
                out.writeLong(b.address().blockNo());
                out.writeLong(b.version().major());
                out.writeLong(b.version().minor());
                out.writeInt(b.payload().length);
                out.write(b.payload());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** The pages of a chunk read from {@code url}, as blocks of {@code volume}. */
    public static List<Block> decode(byte[] bytes, String url, long volume) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        try {
            int magic = in.getInt();
            int format = in.getShort();
            in.getShort();
            int count = in.getInt();
            if (magic != MAGIC || format != FORMAT_VERSION || count < 0) {
                throw new ObjectCorruptException(url, "backup chunk", "magic 0x" + Integer.toHexString(magic)
                        + " format " + format + " count " + count);
            }
            List<Block> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long pageNo = in.getLong();
                Version v = new Version(in.getLong(), in.getLong());
                int len = in.getInt();
                if (len < 0 || len > in.remaining()) {
                    throw new ObjectCorruptException(url, "backup chunk", "page " + pageNo + " length " + len);
                }
                byte[] payload = new byte[len];
                in.get(payload);
                out.add(Block.of(BlockAddress.page(volume, pageNo), v, payload));
            }
            if (in.hasRemaining()) {
                throw new ObjectCorruptException(url, "backup chunk", in.remaining() + " trailing bytes");
            }
            return out;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new ObjectCorruptException(url, "backup chunk", e.toString());
        }
    }
}
