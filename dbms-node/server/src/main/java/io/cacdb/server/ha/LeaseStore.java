package io.cacdb.server.ha;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.volume.VolumeWriter;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * META block 2, the lease ({@code docs/wal-format.md} "META records", {@code docs/failover.md}). Read and written at
 * quorum with {@code Version.ofMeta(sequence)}; every renewal writes a new, higher sequence, so a replica never takes
 * an older renewal over a newer one and a standby recognises a renewal by its sequence.
 *
 * <p>Payload, big-endian, in the layout of the other META records: magic u32 "CMTA", format u16 (1), kind u16 (2 =
 * lease), sequence u64 (= the version's minor), epoch u64, duration ms u32, flags u8 (bit 0: released), holder
 * (u8 length + UTF-8), HA endpoint (u8 length + UTF-8). Stateless and thread-safe.
 */
public final class LeaseStore {

    /** The reserved META block of the lease (0 is the checkpoint pointer, 1 the epoch history). */
    public static final long LEASE_RECORD_NO = 2;

    static final int MAGIC = 0x434D5441;
    static final int FORMAT_VERSION = 1;
    static final int KIND_LEASE = 2;
    static final int FLAG_RELEASED = 1;

    /** A lease as read, with the sequence it was stored at. */
    public record Stored(LeaseRecord lease, long sequence) {
    }

    private LeaseStore() {
    }

    /** The lease at read quorum, or empty if none was ever written. A damaged record fails the future. */
    public static CompletableFuture<Optional<Stored>> read(VolumeReader volume) {
        return volume.read(BlockAddress.meta(volume.volume(), LEASE_RECORD_NO), ReadConsistency.QUORUM, Version.ZERO)
                .thenApply(block -> block.map(LeaseStore::decode));
    }

    /** Writes {@code lease} at {@code sequence} (at the writer's epoch, at write quorum). */
    public static CompletableFuture<Void> write(VolumeWriter volume, LeaseRecord lease, long sequence) {
        if (sequence < 1) {
            throw new IllegalArgumentException("lease sequence must be >= 1, was " + sequence);
        }
        return volume.write(Block.of(BlockAddress.meta(volume.volume(), LEASE_RECORD_NO), Version.ofMeta(sequence),
                encode(lease, sequence)));
    }

    static byte[] encode(LeaseRecord lease, long sequence) {
        byte[] holder = text(lease.holder(), "holder");
        byte[] endpoint = text(lease.haEndpoint(), "HA endpoint");
        ByteBuffer out = ByteBuffer.allocate(4 + 2 + 2 + 8 + 8 + 4 + 1 + 1 + holder.length + 1 + endpoint.length)
                .order(ByteOrder.BIG_ENDIAN);
        out.putInt(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) KIND_LEASE).putLong(sequence)
                .putLong(lease.epoch()).putInt(lease.durationMillis()).put((byte) (lease.released() ? FLAG_RELEASED : 0))
                .put((byte) holder.length).put(holder).put((byte) endpoint.length).put(endpoint);
        return out.array();
    }

    static Stored decode(Block b) {
        if (!b.checksumValid()) {
            throw new CorruptLeaseException("CRC32C mismatch");
        }
        ByteBuffer in = ByteBuffer.wrap(b.payload()).order(ByteOrder.BIG_ENDIAN);
        try {
            int magic = in.getInt();
            int format = in.getShort();
            int kind = in.getShort();
            long seq = in.getLong();
            if (magic != MAGIC || format != FORMAT_VERSION || kind != KIND_LEASE) {
                throw new CorruptLeaseException("magic 0x" + Integer.toHexString(magic) + " format " + format + " kind "
                        + kind + ", expected 0x" + Integer.toHexString(MAGIC) + " " + FORMAT_VERSION + " "
                        + KIND_LEASE);
            }
            if (!b.version().equals(Version.ofMeta(seq))) {
                throw new CorruptLeaseException("stored at version " + b.version() + " but carries sequence " + seq);
            }
            long epoch = in.getLong();
            int duration = in.getInt();
            int flags = in.get() & 0xFF;
            if ((flags & ~FLAG_RELEASED) != 0) {
                throw new CorruptLeaseException("unknown flags 0x" + Integer.toHexString(flags));
            }
            String holder = readText(in);
            String endpoint = readText(in);
            if (in.hasRemaining()) {
                throw new CorruptLeaseException(in.remaining() + " trailing bytes");
            }
            return new Stored(new LeaseRecord(holder, epoch, endpoint, duration, (flags & FLAG_RELEASED) != 0), seq);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptLeaseException("bad lease record: " + e);
        }
    }

    private static byte[] text(String s, String what) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > LeaseRecord.TEXT_BYTES_MAX) {
            throw new IllegalArgumentException("lease " + what + " is " + bytes.length + " bytes, max "
                    + LeaseRecord.TEXT_BYTES_MAX);
        }
        return bytes;
    }

    private static String readText(ByteBuffer in) {
        int length = in.get() & 0xFF;
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** META block 2 holds bytes that are not a lease record: do not decide anything from it; repair it. */
    public static final class CorruptLeaseException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CorruptLeaseException(String message) {
            super("META block " + LEASE_RECORD_NO + " (lease): " + message);
        }
    }
}
