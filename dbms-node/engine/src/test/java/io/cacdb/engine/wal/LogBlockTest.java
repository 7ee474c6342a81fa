package io.cacdb.engine.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class LogBlockTest {

    @Test
    void constantsFollowFromTheBlockSize() {
        assertEquals(8192, LogBlock.LOG_BLOCK_BYTES);
        assertEquals(LogBlock.LOG_BLOCK_BYTES - LogBlock.LOG_BLOCK_HEADER_BYTES, LogBlock.LOG_BLOCK_PAYLOAD_BYTES);
        assertTrue(LogBlock.LOG_BLOCK_PAYLOAD_BYTES < LogBlock.NO_RECORD_START, "offsets fit the u16 field");
        assertEquals(LogBlock.LOG_BLOCK_PAYLOAD_BYTES, LogBlock.startLsn(1));
        assertEquals(1, LogBlock.blockOf(LogBlock.LOG_BLOCK_PAYLOAD_BYTES));
        assertEquals(0, LogBlock.blockOf(LogBlock.LOG_BLOCK_PAYLOAD_BYTES - 1));
        assertEquals(5, LogBlock.offsetOf(LogBlock.LOG_BLOCK_PAYLOAD_BYTES + 5));
    }

    @Test
    void roundTripsAtEverySize() {
        for (int used : new int[] {1, 2, 100, LogBlock.LOG_BLOCK_PAYLOAD_BYTES - 1, LogBlock.LOG_BLOCK_PAYLOAD_BYTES}) {
            byte[] payload = new byte[used];
            for (int i = 0; i < used; i++) {
                payload[i] = (byte) (i * 31);
            }
            LogBlock lb = new LogBlock(7, 3, used, used > 1 ? 1 : LogBlock.NO_RECORD_START, payload);
            Block b = lb.toBlock(9);
            assertEquals(BlockAddress.log(9, 7), b.address());
            assertEquals(Version.ofLogBlock(3, used), b.version());
            assertEquals(LogBlock.LOG_BLOCK_HEADER_BYTES + used, b.payload().length, "a write carries header + used");
            LogBlock back = LogBlock.decode(b, 7);
            assertEquals(lb.blockNo(), back.blockNo());
            assertEquals(lb.epoch(), back.epoch());
            assertEquals(lb.usedBytes(), back.usedBytes());
            assertEquals(lb.firstRecordOffset(), back.firstRecordOffset());
            assertArrayEquals(payload, back.payload());
        }
    }

    @Test
    void versionsOrderFullerBlocksAndNewerEpochsFirst() {
        assertTrue(LogBlock.version(1, 200).isNewerThan(LogBlock.version(1, 100)));
        assertTrue(LogBlock.version(2, 10).isNewerThan(LogBlock.version(1, LogBlock.LOG_BLOCK_PAYLOAD_BYTES)));
    }

    @Test
    void everyHeaderCorruptionIsReportedAtTheBlockStart() {
        Block good = new LogBlock(4, 2, 50, 0, new byte[50]).toBlock(1);
        long at = LogBlock.startLsn(4);
        expectCorrupt(good, 5, LogBlock.startLsn(5), "asked for log block 5");
        expectCorrupt(new Block(good.address(), good.version(), good.crc32c() ^ 1, good.payload()), 4, at, "CRC32C");
        expectCorrupt(resealed(good, b -> b.putInt(0, 0x12345678)), 4, at, "magic");
        expectCorrupt(resealed(good, b -> b.putInt(4, 2)), 4, at, "format version");
        expectCorrupt(resealed(good, b -> b.putLong(8, 5)), 4, at, "says it is block 5");
        expectCorrupt(resealed(good, b -> b.putShort(24, (short) 51)), 4, at, "used bytes");
        expectCorrupt(resealed(good, b -> b.putShort(24, (short) (LogBlock.LOG_BLOCK_PAYLOAD_BYTES + 1))), 4, at,
                "used bytes");
        expectCorrupt(resealed(good, b -> b.putShort(26, (short) 50)), 4, at, "first-record offset");
        expectCorrupt(resealed(good, b -> b.putInt(28, 1)), 4, at, "reserved");
        expectCorrupt(Block.of(good.address(), Version.ofLogBlock(2, 49), good.payload()), 4, at, "version");
        expectCorrupt(Block.of(good.address(), Version.ofLogBlock(2, 49), new byte[10]), 4, at, "shorter than");
    }

    private static Block resealed(Block b, java.util.function.Consumer<ByteBuffer> damage) {
        byte[] bytes = b.payload().clone();
        damage.accept(ByteBuffer.wrap(bytes));
        return Block.of(b.address(), b.version(), bytes);
    }

    private static void expectCorrupt(Block b, long blockNo, long lsn, String part) {
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> LogBlock.decode(b, blockNo));
        assertEquals(lsn, e.lsn());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
