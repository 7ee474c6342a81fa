package io.cacdb.engine.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.MemoryVolume;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class MetaRecordsTest {

    @Test
    void checkpointPointerRoundTripsWithIncreasingSequence() {
        MemoryVolume v = new MemoryVolume(3);
        assertTrue(MetaRecords.readCheckpoint(v).join().isEmpty());
        assertEquals(1, MetaRecords.writeCheckpoint(v, new CheckpointPointer(100, 50)).join());
        assertEquals(2, MetaRecords.writeCheckpoint(v, new CheckpointPointer(300, 200)).join());
        MetaRecords.Stored<CheckpointPointer> s = MetaRecords.readCheckpoint(v).join().orElseThrow();
        assertEquals(new CheckpointPointer(300, 200), s.value());
        assertEquals(2, s.sequence());
        Block stored = v.snapshot(Space.META).get(MetaRecords.CHECKPOINT_RECORD_NO);
        assertEquals(Version.ofMeta(2), stored.version());
        CompletionException back = assertThrows(CompletionException.class,
                () -> MetaRecords.writeCheckpoint(v, new CheckpointPointer(250, 200)).join());
        assertInstanceOf(IllegalArgumentException.class, back.getCause());
    }

    @Test
    void epochHistoryAppendsAndIsIdempotentForARetry() {
        MemoryVolume v = new MemoryVolume(3);
        assertEquals(EpochHistory.EMPTY, MetaRecords.epochHistory(v).join());
        MetaRecords.appendEpoch(v, 2, 1000).join();
        EpochHistory h = MetaRecords.appendEpoch(v, 3, 5000).join();
        assertEquals(List.of(new EpochHistory.Entry(2, 1000), new EpochHistory.Entry(3, 5000)), h.entries());
        assertEquals(h, MetaRecords.appendEpoch(v, 3, 5000).join(), "a retried takeover step changes nothing");
        MetaRecords.Stored<EpochHistory> s = MetaRecords.readEpochHistory(v).join().orElseThrow();
        assertEquals(h, s.value());
        assertEquals(2, s.sequence());
        assertEquals(3, h.latestEpoch());
        assertEquals(1000, h.voidFrom(1));
        assertEquals(5000, h.voidFrom(2));
        assertEquals(Long.MAX_VALUE, h.voidFrom(3));
        assertThrows(CompletionException.class, () -> MetaRecords.appendEpoch(v, 3, 6000).join());
        assertThrows(CompletionException.class, () -> MetaRecords.appendEpoch(v, 4, 4000).join());
    }

    @Test
    void damagedMetaRecordsAreReportedAsCorrupt() {
        MemoryVolume v = new MemoryVolume(3);
        MetaRecords.writeCheckpoint(v, new CheckpointPointer(100, 50)).join();
        Block good = v.snapshot(Space.META).get(MetaRecords.CHECKPOINT_RECORD_NO);
        byte[] bad = good.payload().clone();
        bad[0] ^= 1;
        v.write(Block.of(BlockAddress.meta(3, MetaRecords.CHECKPOINT_RECORD_NO), Version.ofMeta(5), bad)).join();
        CompletionException e = assertThrows(CompletionException.class, () -> MetaRecords.readCheckpoint(v).join());
        assertInstanceOf(CorruptMetaRecordException.class, e.getCause());

        // Sequence in the payload that does not match the stored version.
        v.write(Block.of(BlockAddress.meta(3, MetaRecords.CHECKPOINT_RECORD_NO), Version.ofMeta(9),
                good.payload())).join();
        e = assertThrows(CompletionException.class, () -> MetaRecords.readCheckpoint(v).join());
        assertInstanceOf(CorruptMetaRecordException.class, e.getCause());

        // An epoch history whose count does not match its bytes.
        MetaRecords.appendEpoch(v, 2, 10).join();
        Block h = v.snapshot(Space.META).get(MetaRecords.EPOCH_HISTORY_RECORD_NO);
        byte[] hb = h.payload().clone();
        java.nio.ByteBuffer.wrap(hb).putInt(16, 7);
        v.write(Block.of(h.address(), Version.ofMeta(h.version().minor() + 1), reseq(hb, h.version().minor() + 1)))
                .join();
        e = assertThrows(CompletionException.class, () -> MetaRecords.readEpochHistory(v).join());
        assertInstanceOf(CorruptMetaRecordException.class, e.getCause());
    }

    private static byte[] reseq(byte[] payload, long seq) {
        java.nio.ByteBuffer.wrap(payload).putLong(8, seq);
        return payload;
    }
}
