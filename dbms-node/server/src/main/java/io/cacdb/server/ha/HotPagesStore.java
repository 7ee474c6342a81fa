package io.cacdb.server.ha;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.volume.VolumeWriter;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * META block 8, the active's hot pages: the page numbers resident in its pool, which a new or re-seeded standby reads
 * into its own pool so that it is warm although it started from the latest checkpoint (DESIGN §6 "Re-seeding";
 * {@code docs/failover.md}). Written by the active every {@link #PUBLISH_INTERVAL_MILLIS}, at
 * {@code Version.ofMeta((epoch << 32) | n)}, so a new active's lists supersede the old one's and a fenced writer
 * cannot store one.
 *
 * <p>Payload, big-endian: magic u32 "CMTA", format u16 (1), kind u16 (8 = hot pages), sequence u64, count u32, then
 * the page numbers ascending as unsigned LEB128 deltas from the previous one (the first from 0). At most
 * {@link #PAYLOAD_BYTES_MAX} bytes: a list that does not fit is cut (the pages are ascending, so it keeps the low ones;
 * the pool holds far more than a standby warms anyway).
 */
public final class HotPagesStore {

    /** The reserved META block (0 checkpoint pointer, 1 epoch history, 2 lease; 8 leaves room between). */
    public static final long HOT_PAGES_RECORD_NO = 8;
    /** How often the active stores its list: a standby that starts warms from a list at most this old. */
    public static final long PUBLISH_INTERVAL_MILLIS = 10_000;
    /** Within one 8 KiB block, with room for the header: a few thousand pages at 1–3 bytes each. */
    public static final int PAYLOAD_BYTES_MAX = 8_000;
    /** Pages asked of the pool for one list: more than a list holds, so the cut is by bytes. */
    public static final int PAGES_ASKED_MAX = 16_384;

    static final int MAGIC = 0x434D5441;
    static final int FORMAT_VERSION = 1;
    static final int KIND_HOT_PAGES = 8;
    static final int HEADER_BYTES = 4 + 2 + 2 + 8 + 4;

    private HotPagesStore() {
    }

    /** The list at read quorum, or empty if none was ever written. A damaged record fails the future. */
    public static CompletableFuture<Optional<long[]>> read(VolumeReader volume) {
        return volume.read(BlockAddress.meta(volume.volume(), HOT_PAGES_RECORD_NO), ReadConsistency.QUORUM,
                Version.ZERO).thenApply(block -> block.map(HotPagesStore::decode));
    }

    /** Stores {@code pages} (ascending) at {@code sequence}; returns how many fit. */
    public static CompletableFuture<Integer> write(VolumeWriter volume, long[] pages, long sequence) {
        if (sequence < 1) {
            throw new IllegalArgumentException("hot pages sequence must be >= 1, was " + sequence);
        }
        Encoded e = encode(pages, sequence);
        return volume.write(Block.of(BlockAddress.meta(volume.volume(), HOT_PAGES_RECORD_NO),
                Version.ofMeta(sequence), e.bytes())).thenApply(v -> e.count());
    }

    /** The sequence of the {@code n}-th list an active at {@code epoch} stores. */
    public static long sequence(long epoch, long n) {
        if (epoch < 0 || epoch >= (1L << 31) || n < 1 || n >= (1L << 32)) {
            throw new IllegalArgumentException("epoch " + epoch + " / list " + n + " out of range");
        }
        return (epoch << 32) | n;
    }

    record Encoded(byte[] bytes, int count) {
    }

    static Encoded encode(long[] pages, long sequence) {
        ByteArrayOutputStream deltas = new ByteArrayOutputStream();
        long previous = 0;
        int count = 0;
        byte[] one = new byte[10];
        for (long p : pages) {
            if (p < previous) {
                throw new IllegalArgumentException("hot pages must be ascending: " + p + " after " + previous);
            }
            int n = leb128(p - previous, one);
            if (HEADER_BYTES + deltas.size() + n > PAYLOAD_BYTES_MAX) {
                break;
            }
            deltas.write(one, 0, n);
            previous = p;
            count++;
        }
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + deltas.size()).order(ByteOrder.BIG_ENDIAN);
        out.putInt(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) KIND_HOT_PAGES).putLong(sequence)
                .putInt(count).put(deltas.toByteArray());
        return new Encoded(out.array(), count);
    }

    static long[] decode(Block b) {
        if (!b.checksumValid()) {
            throw new CorruptHotPagesException("CRC32C mismatch");
        }
        ByteBuffer in = ByteBuffer.wrap(b.payload()).order(ByteOrder.BIG_ENDIAN);
        try {
            int magic = in.getInt();
            int format = in.getShort();
            int kind = in.getShort();
            long seq = in.getLong();
            if (magic != MAGIC || format != FORMAT_VERSION || kind != KIND_HOT_PAGES) {
                throw new CorruptHotPagesException("magic 0x" + Integer.toHexString(magic) + " format " + format
                        + " kind " + kind);
            }
            if (!b.version().equals(Version.ofMeta(seq))) {
                throw new CorruptHotPagesException("stored at version " + b.version() + " but carries sequence "
                        + seq);
            }
            int count = in.getInt();
            if (count < 0 || count > PAYLOAD_BYTES_MAX) {
                throw new CorruptHotPagesException("count " + count);
            }
            long[] pages = new long[count];
            long previous = 0;
            for (int i = 0; i < count; i++) {
                previous += readLeb128(in);
                pages[i] = previous;
            }
            if (in.hasRemaining()) {
                throw new CorruptHotPagesException(in.remaining() + " trailing bytes");
            }
            return pages;
        } catch (BufferUnderflowException e) {
            throw new CorruptHotPagesException("truncated: " + e);
        }
    }

    private static int leb128(long v, byte[] out) {
        int n = 0;
        do {
            byte b = (byte) (v & 0x7F);
            v >>>= 7;
            out[n++] = (byte) (v != 0 ? b | 0x80 : b);
        } while (v != 0);
        return n;
    }

    private static long readLeb128(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new CorruptHotPagesException("a page delta longer than 10 bytes");
    }

    /** META block 8 holds bytes that are not a hot-pages record: the standby starts cold instead. */
    public static final class CorruptHotPagesException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CorruptHotPagesException(String message) {
            super("META block " + HOT_PAGES_RECORD_NO + " (hot pages): " + message);
        }
    }
}
