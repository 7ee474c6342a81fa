package io.cacdb.engine.wal;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.volume.VolumeWriter;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The WAL's two META control records: block 0, the checkpoint pointer, and block 1, the epoch history. Both are read
 * and written at quorum with {@code Version.ofMeta(sequence)}; a write reads the current record first and writes
 * sequence + 1, so a replica never takes an older record over a newer one. Only the active writes META (a fenced
 * writer's writes fail at the storage tier), so read-then-write has no competing writer.
 *
 * <p>Payload: magic u32 "CMTA", format u16 (1), kind u16 (0 checkpoint, 1 epoch history), sequence u64 (equal to the
 * version's minor), then for a checkpoint {@code checkpointLsn u64, redoStartLsn u64} and for the history
 * {@code count u32 × (epoch u64, startLsn u64)}. Stateless and thread-safe.
 */
public final class MetaRecords {

    public static final long CHECKPOINT_RECORD_NO = 0;
    public static final long EPOCH_HISTORY_RECORD_NO = 1;
    /**
     * Block 3, the restore marker: a volume being restored from an archive carries {@link RestoreState#RESTORING}
     * from the restore's first write until its last, which sets {@link RestoreState#COMPLETE}; {@code Engine.open}
     * refuses a volume still marked restoring, so a restore that failed half-way never looks usable. (Block 2 is the
     * active's lease.)
     */
    public static final long RESTORE_RECORD_NO = 3;

    /** The restore marker's states. */
    public enum RestoreState { RESTORING, COMPLETE }

    /**
     * One entry per takeover; 65 536 takeovers (16 bytes each, a 1 MiB record) is far beyond any volume's life, and a
     * bound keeps a garbage count from allocating gigabytes on decode.
     */
    public static final int EPOCH_HISTORY_ENTRIES_MAX = 65_536;

    static final int MAGIC = 0x434D5441;
    static final int FORMAT_VERSION = 1;
    static final int KIND_CHECKPOINT = 0;
    static final int KIND_EPOCH_HISTORY = 1;
    static final int KIND_RESTORE = 3;
    private static final int HEADER_BYTES = 4 + 2 + 2 + 8;

    /** A META record's value with the sequence it was stored at. */
    public record Stored<T>(T value, long sequence) {
    }

    private MetaRecords() {
    }

    public static CompletableFuture<Optional<Stored<CheckpointPointer>>> readCheckpoint(VolumeReader volume) {
        return read(volume, CHECKPOINT_RECORD_NO).thenApply(block -> block.map(b -> {
            ByteBuffer in = body(b, CHECKPOINT_RECORD_NO, KIND_CHECKPOINT);
            try {
                CheckpointPointer p = new CheckpointPointer(in.getLong(), in.getLong());
                requireConsumed(in, CHECKPOINT_RECORD_NO);
                return new Stored<>(p, b.version().minor());
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                throw new CorruptMetaRecordException(CHECKPOINT_RECORD_NO, "bad checkpoint pointer: " + e);
            }
        }));
    }

    /**
     * Stores {@code pointer} as the new checkpoint pointer at write quorum; completes with the sequence written. The
     * checkpoint record must already be durable in the log. A pointer older than the stored one is a caller's error.
     */
    public static CompletableFuture<Long> writeCheckpoint(VolumeWriter volume, CheckpointPointer pointer) {
        return readCheckpoint(volume).thenCompose(current -> {
            long seq = current.map(Stored::sequence).orElse(0L) + 1;
            current.ifPresent(c -> {
                if (pointer.checkpointLsn() < c.value().checkpointLsn()
                        || pointer.redoStartLsn() < c.value().redoStartLsn()) {
                    throw new IllegalArgumentException("checkpoint pointer must not go back: stored " + c.value()
                            + ", new " + pointer);
                }
            });
            ByteBuffer out = header(16, KIND_CHECKPOINT, seq);
            out.putLong(pointer.checkpointLsn()).putLong(pointer.redoStartLsn());
            return volume.write(Block.of(BlockAddress.meta(volume.volume(), CHECKPOINT_RECORD_NO),
                    Version.ofMeta(seq), out.array())).thenApply(v -> seq);
        });
    }

    public static CompletableFuture<Optional<Stored<EpochHistory>>> readEpochHistory(VolumeReader volume) {
        return read(volume, EPOCH_HISTORY_RECORD_NO).thenApply(block -> block.map(b -> {
            ByteBuffer in = body(b, EPOCH_HISTORY_RECORD_NO, KIND_EPOCH_HISTORY);
            try {
                int count = in.getInt();
                if (count < 0 || count > EPOCH_HISTORY_ENTRIES_MAX || in.remaining() != count * 16) {
                    throw new CorruptMetaRecordException(EPOCH_HISTORY_RECORD_NO, "history count " + count
                            + " does not match " + in.remaining() + " bytes of entries");
                }
                List<EpochHistory.Entry> entries = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    entries.add(new EpochHistory.Entry(in.getLong(), in.getLong()));
                }
                return new Stored<>(new EpochHistory(entries), b.version().minor());
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                throw new CorruptMetaRecordException(EPOCH_HISTORY_RECORD_NO, "bad epoch history: " + e);
            }
        }));
    }

    /** The stored epoch history, or {@link EpochHistory#EMPTY} if none was ever written. */
    public static CompletableFuture<EpochHistory> epochHistory(VolumeReader volume) {
        return readEpochHistory(volume).thenApply(s -> s.map(Stored::value).orElse(EpochHistory.EMPTY));
    }

    /**
     * Adds {@code (epoch, startLsn)} to the stored history at write quorum (takeover, step 2: the new epoch starts at
     * the durable end it found). Completes with the new history. Idempotent for a retry of the same entry; an epoch
     * not newer than the latest stored one otherwise fails, since two takeovers never share an epoch.
     */
    public static CompletableFuture<EpochHistory> appendEpoch(VolumeWriter volume, long epoch, long startLsn) {
        return readEpochHistory(volume).thenCompose(current -> {
            EpochHistory history = current.map(Stored::value).orElse(EpochHistory.EMPTY);
            if (!history.entries().isEmpty()
                    && history.entries().getLast().equals(new EpochHistory.Entry(epoch, startLsn))) {
                return CompletableFuture.completedFuture(history);
            }
            EpochHistory next = history.with(epoch, startLsn);
            if (next.entries().size() > EPOCH_HISTORY_ENTRIES_MAX) {
                throw new IllegalStateException("epoch history has " + next.entries().size() + " entries, max "
                        + EPOCH_HISTORY_ENTRIES_MAX);
            }
            long seq = current.map(Stored::sequence).orElse(0L) + 1;
            ByteBuffer out = header(4 + 16 * next.entries().size(), KIND_EPOCH_HISTORY, seq);
            out.putInt(next.entries().size());
            for (EpochHistory.Entry e : next.entries()) {
                out.putLong(e.epoch()).putLong(e.startLsn());
            }
            return volume.write(Block.of(BlockAddress.meta(volume.volume(), EPOCH_HISTORY_RECORD_NO),
                    Version.ofMeta(seq), out.array())).thenApply(v -> next);
        });
    }

    /** The restore marker (META block 3), or empty for a volume that was never restored. */
    public static CompletableFuture<Optional<RestoreState>> readRestoreState(VolumeReader volume) {
        return read(volume, RESTORE_RECORD_NO).thenApply(block -> block.map(b -> {
            ByteBuffer in = body(b, RESTORE_RECORD_NO, KIND_RESTORE);
            try {
                int state = in.getInt();
                requireConsumed(in, RESTORE_RECORD_NO);
                if (state < 0 || state >= RestoreState.values().length) {
                    throw new CorruptMetaRecordException(RESTORE_RECORD_NO, "restore state " + state);
                }
                return RestoreState.values()[state];
            } catch (BufferUnderflowException e) {
                throw new CorruptMetaRecordException(RESTORE_RECORD_NO, "bad restore marker: " + e);
            }
        }));
    }

    /** Stores the restore marker at write quorum ({@link RestoreState#RESTORING} first, {@code COMPLETE} last). */
    public static CompletableFuture<Void> writeRestoreState(VolumeWriter volume, RestoreState state) {
        long seq = state.ordinal() + 1L;
        ByteBuffer out = header(4, KIND_RESTORE, seq);
        out.putInt(state.ordinal());
        return volume.write(Block.of(BlockAddress.meta(volume.volume(), RESTORE_RECORD_NO), Version.ofMeta(seq),
                out.array()));
    }

    private static CompletableFuture<Optional<Block>> read(VolumeReader volume, long recordNo) {
        return volume.read(BlockAddress.meta(volume.volume(), recordNo), ReadConsistency.QUORUM, Version.ZERO);
    }

    private static ByteBuffer header(int bodyBytes, int kind, long seq) {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + bodyBytes).order(ByteOrder.BIG_ENDIAN);
        out.putInt(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) kind).putLong(seq);
        return out;
    }

    private static ByteBuffer body(Block b, long recordNo, int expectedKind) {
        if (!b.checksumValid()) {
            throw new CorruptMetaRecordException(recordNo, "CRC32C mismatch");
        }
        ByteBuffer in = ByteBuffer.wrap(b.payload()).order(ByteOrder.BIG_ENDIAN);
        if (in.remaining() < HEADER_BYTES) {
            throw new CorruptMetaRecordException(recordNo, "only " + in.remaining() + " bytes");
        }
        int magic = in.getInt();
        int format = in.getShort();
        int kind = in.getShort();
        long seq = in.getLong();
        if (magic != MAGIC || format != FORMAT_VERSION || kind != expectedKind) {
            throw new CorruptMetaRecordException(recordNo, "magic 0x" + Integer.toHexString(magic) + " format "
                    + format + " kind " + kind + ", expected 0x" + Integer.toHexString(MAGIC) + " " + FORMAT_VERSION
                    + " " + expectedKind);
        }
        if (!b.version().equals(Version.ofMeta(seq))) {
            throw new CorruptMetaRecordException(recordNo, "stored at version " + b.version()
                    + " but carries sequence " + seq);
        }
        return in;
    }

    private static void requireConsumed(ByteBuffer in, long recordNo) {
        if (in.hasRemaining()) {
            throw new CorruptMetaRecordException(recordNo, in.remaining() + " trailing bytes");
        }
    }
}
