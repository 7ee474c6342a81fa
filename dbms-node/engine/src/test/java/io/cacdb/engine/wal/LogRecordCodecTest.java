package io.cacdb.engine.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.wal.LogRecord.DirtyPage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class LogRecordCodecTest {

    private static final LogRecordCodec CODEC = TestPageOp.CODEC;

    @Test
    void everyRecordTypeRoundTrips() {
        for (LogRecord r : WalTestRecords.everyType()) {
            for (boolean mtrEnd : new boolean[] {false, true}) {
                byte[] bytes = LogRecordCodec.encode(r, mtrEnd);
                assertEquals(LogRecordCodec.encodedSize(r), bytes.length, r.toString());
                ByteBuffer in = ByteBuffer.wrap(bytes);
                LogRecordCodec.Decoded d = CODEC.decode(in, 4711);
                assertTrue(WalTestRecords.same(r, d.record()), r + " vs " + d.record());
                assertEquals(mtrEnd, d.mtrEnd());
                assertEquals(bytes.length, d.length());
                assertFalse(in.hasRemaining(), "decode consumes exactly the record");
            }
        }
    }

    @Test
    void headerCarriesTxnIdPrevLsnAndFlagsAtTheDocumentedOffsets() {
        byte[] bytes = LogRecordCodec.encode(new LogRecord.Commit(0x0102030405060708L, 0x1112131415161718L, 5), true);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertEquals(bytes.length, b.getInt(0));
        assertEquals(LogRecordCodec.TYPE_COMMIT, b.get(4));
        assertEquals(LogRecordCodec.FLAG_MTR_END, b.get(5));
        assertEquals(0, b.getShort(6));
        assertEquals(0x0102030405060708L, b.getLong(8));
        assertEquals(0x1112131415161718L, b.getLong(16));
        assertEquals(5, b.getLong(24));
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        assertEquals((int) crc.getValue(), b.getInt(bytes.length - 4));
    }

    @Test
    void boundarySizes() {
        LogRecord smallest = new LogRecord.Abort(1, 0);
        assertEquals(LogRecordCodec.MIN_RECORD_BYTES, LogRecordCodec.encodedSize(smallest));
        roundTrip(smallest);
        // Empty key and value, empty checkpoint, empty page-op payload.
        roundTrip(new LogRecord.Undo(1, 0, 0, LogRecord.UndoKind.UNDO_INSERT, new byte[0], new byte[0]));
        roundTrip(new LogRecord.Checkpoint(0, List.of(), List.of()));
        roundTrip(new LogRecord.PageRedo(0, 0, new TestPageOp(0, new byte[0])));
        // Largest key the u16 length takes.
        roundTrip(new LogRecord.Undo(1, 0, 0, LogRecord.UndoKind.UNDO_DELETE, new byte[0xFFFF], new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> LogRecordCodec.encode(
                new LogRecord.Undo(1, 0, 0, LogRecord.UndoKind.UNDO_DELETE, new byte[0x10000], new byte[0]), false));
        // Exactly MAX_RECORD_BYTES, and one byte more.
        int overhead = LogRecordCodec.HEADER_BYTES + 8 + 1 + 4 + LogRecordCodec.CRC_BYTES;
        LogRecord max = new LogRecord.PageRedo(1, 1,
                new TestPageOp(0, new byte[LogRecordCodec.MAX_RECORD_BYTES - overhead]));
        assertEquals(LogRecordCodec.MAX_RECORD_BYTES, LogRecordCodec.encodedSize(max));
        roundTrip(max);
        assertThrows(IllegalArgumentException.class, () -> LogRecordCodec.encode(new LogRecord.PageRedo(1, 1,
                new TestPageOp(0, new byte[LogRecordCodec.MAX_RECORD_BYTES - overhead + 1])), false));
        // A checkpoint with many entries.
        List<DirtyPage> dirty = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            dirty.add(new DirtyPage(i, i * 3L));
        }
        roundTrip(new LogRecord.Checkpoint(1, dirty, List.of(new LogRecord.ActiveTxn(1, 2, 3))));
    }

    @Test
    void randomRecordsRoundTripBackToBack() {
        long seed = WalTestRecords.seed("randomRecordsRoundTripBackToBack");
        Random rnd = new Random(seed);
        List<LogRecord> records = new ArrayList<>();
        ByteBuffer out = ByteBuffer.allocate(8 << 20);
        for (int i = 0; i < 2000; i++) {
            LogRecord r = WalTestRecords.random(rnd, 2000);
            records.add(r);
            LogRecordCodec.encode(r, i % 3 == 0, out);
        }
        out.flip();
        long lsn = 0;
        for (int i = 0; i < records.size(); i++) {
            LogRecordCodec.Decoded d = CODEC.decode(out, lsn);
            assertTrue(WalTestRecords.same(records.get(i), d.record()), "record " + i + ", seed " + seed);
            assertEquals(i % 3 == 0, d.mtrEnd());
            lsn += d.length();
        }
        assertFalse(out.hasRemaining());
    }

    @Test
    void lengthBelowMinimumOrAboveMaximumIsCorrupt() {
        byte[] bytes = LogRecordCodec.encode(new LogRecord.Abort(1, 0), false);
        ByteBuffer.wrap(bytes).putInt(0, LogRecordCodec.MIN_RECORD_BYTES - 1);
        expectCorrupt(bytes, 900, "length");
        ByteBuffer.wrap(bytes).putInt(0, LogRecordCodec.MAX_RECORD_BYTES + 1);
        expectCorrupt(bytes, 900, "length");
        ByteBuffer.wrap(bytes).putInt(0, -5);
        expectCorrupt(bytes, 900, "length");
    }

    @Test
    void truncatedRecordIsCorrupt() {
        byte[] bytes = LogRecordCodec.encode(new LogRecord.Commit(1, 2, 3), true);
        for (int cut = 0; cut < bytes.length; cut++) {
            byte[] shorter = java.util.Arrays.copyOf(bytes, cut);
            CorruptLogException e = assertThrows(CorruptLogException.class,
                    () -> CODEC.decode(ByteBuffer.wrap(shorter), 77));
            assertEquals(77, e.lsn());
        }
    }

    @Test
    void everyFlippedBitIsCaught() {
        for (LogRecord r : WalTestRecords.everyType()) {
            byte[] bytes = LogRecordCodec.encode(r, true);
            for (int bit = 0; bit < bytes.length * 8; bit++) {
                byte[] bad = bytes.clone();
                bad[bit / 8] ^= (byte) (1 << (bit % 8));
                CorruptLogException e = assertThrows(CorruptLogException.class,
                        () -> CODEC.decode(ByteBuffer.wrap(bad), 1234), r + " bit " + bit);
                assertEquals(1234, e.lsn());
            }
        }
    }

    @Test
    void unknownTypeIsCorruptEvenWithAValidCrc() {
        byte[] bytes = LogRecordCodec.encode(new LogRecord.Abort(1, 0), false);
        bytes[4] = 99;
        expectCorrupt(resealed(bytes), 5, "unknown record type 99");
        bytes[4] = 0;
        expectCorrupt(resealed(bytes), 5, "unknown record type 0");
    }

    @Test
    void unknownFlagsReservedBytesAndMisplacedHeaderFieldsAreCorrupt() {
        byte[] flags = LogRecordCodec.encode(new LogRecord.Abort(1, 0), false);
        flags[5] = 2;
        expectCorrupt(resealed(flags), 5, "flags");
        byte[] reserved = LogRecordCodec.encode(new LogRecord.Abort(1, 0), false);
        reserved[7] = 1;
        expectCorrupt(resealed(reserved), 5, "reserved");
        byte[] txnOnCheckpoint = LogRecordCodec.encode(new LogRecord.FlushWatermark(5), false);
        ByteBuffer.wrap(txnOnCheckpoint).putLong(8, 3);
        expectCorrupt(resealed(txnOnCheckpoint), 5, "txnId");
        byte[] prevOnRedo = LogRecordCodec.encode(
                new LogRecord.PageRedo(1, 2, new TestPageOp(0, new byte[2])), false);
        ByteBuffer.wrap(prevOnRedo).putLong(16, 3);
        expectCorrupt(resealed(prevOnRedo), 5, "prevLSN");
    }

    @Test
    void bodiesThatDoNotMatchTheirLengthAreCorrupt() {
        // Undo whose old-value length points past the body.
        byte[] undo = LogRecordCodec.encode(new LogRecord.Undo(1, 0, 0, LogRecord.UndoKind.UNDO_UPDATE,
                new byte[] {1}, new byte[] {2, 3}), false);
        int oldLenAt = LogRecordCodec.HEADER_BYTES + 8 + 1 + 2 + 1;
        ByteBuffer.wrap(undo).putInt(oldLenAt, 50);
        expectCorrupt(resealed(undo), 5, "old value length");
        // Undo kind out of range.
        byte[] kind = LogRecordCodec.encode(new LogRecord.Undo(1, 0, 0, LogRecord.UndoKind.UNDO_UPDATE,
                new byte[] {1}, new byte[] {2}), false);
        kind[LogRecordCodec.HEADER_BYTES + 8] = 9;
        expectCorrupt(resealed(kind), 5, "undo kind");
        // Checkpoint whose counts claim more entries than the body holds.
        byte[] cp = LogRecordCodec.encode(new LogRecord.Checkpoint(1, List.of(new DirtyPage(1, 1)), List.of()),
                false);
        ByteBuffer.wrap(cp).putInt(LogRecordCodec.HEADER_BYTES + 8, 1000);
        expectCorrupt(resealed(cp), 5, "count");
        // Commit with extra body bytes: grow the record by 8 and reseal.
        byte[] commit = LogRecordCodec.encode(new LogRecord.Commit(1, 0, 0), false);
        byte[] longer = new byte[commit.length + 8];
        System.arraycopy(commit, 0, longer, 0, commit.length - 4);
        ByteBuffer.wrap(longer).putInt(0, longer.length);
        expectCorrupt(resealed(longer), 5, "unread bytes");
        // Commit with a short body.
        byte[] shortBody = new byte[LogRecordCodec.MIN_RECORD_BYTES];
        System.arraycopy(commit, 0, shortBody, 0, LogRecordCodec.HEADER_BYTES);
        ByteBuffer.wrap(shortBody).putInt(0, shortBody.length);
        expectCorrupt(resealed(shortBody), 5, "shorter than its fields");
    }

    @Test
    void pageOpsTheDecoderRejectsAreCorrupt() {
        byte[] redo = LogRecordCodec.encode(new LogRecord.PageRedo(1, 2, new TestPageOp(0, new byte[2])), false);
        redo[LogRecordCodec.HEADER_BYTES + 8] = 43; // an op code the decoder does not know
        expectCorrupt(resealed(redo), 5, "page op code 43");
        byte[] tooShort = LogRecordCodec.encode(new LogRecord.PageRedo(1, 2, new TestPageOp(0, new byte[0])),
                false);
        // Cut the op body to 2 bytes: the decoder's getInt underflows.
        byte[] cut = new byte[tooShort.length - 2];
        System.arraycopy(tooShort, 0, cut, 0, cut.length - 4);
        ByteBuffer.wrap(cut).putInt(0, cut.length);
        expectCorrupt(resealed(cut), 5, "does not decode");
    }

    private static void roundTrip(LogRecord r) {
        byte[] bytes = LogRecordCodec.encode(r, false);
        assertEquals(LogRecordCodec.encodedSize(r), bytes.length);
        assertTrue(WalTestRecords.same(r, CODEC.decode(ByteBuffer.wrap(bytes), 0).record()));
    }

    /** Recomputes the trailing CRC so that only the semantic check can catch the damage. */
    private static byte[] resealed(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }

    private static void expectCorrupt(byte[] bytes, long lsn, String messagePart) {
        CorruptLogException e = assertThrows(CorruptLogException.class,
                () -> CODEC.decode(ByteBuffer.wrap(bytes), lsn));
        assertEquals(lsn, e.lsn());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        assertTrue(e.getMessage().contains("LSN " + lsn), e.getMessage());
    }
}
