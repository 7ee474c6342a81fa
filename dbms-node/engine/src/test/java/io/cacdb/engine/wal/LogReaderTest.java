package io.cacdb.engine.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.engine.mtr.LogSink.LsnRange;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LogReaderTest {

    private static final long TIMEOUT_SECONDS = 30;

    /**
     * The reader returns exactly the appended records, in order, while the log grows under a seeded schedule of held
     * and reordered writes: records of random sizes (some spanning several blocks), the tail block read while it is
     * partly filled, "not yet" at every gap, then more. It never returns a byte storage does not hold.
     */
    @Test
    void returnsExactlyTheAppendedRecordsInOrderWhileTheLogGrows() throws Exception {
        long seed = WalTestRecords.seed("returnsExactlyTheAppendedRecordsInOrderWhileTheLogGrows");
        Random rnd = new Random(seed);
        MemoryVolume storage = new MemoryVolume(1);
        ScheduledVolume volume = new ScheduledVolume(storage, ScheduledVolume.Mode.HOLD, null);
        LogWriterConfig config = LogWriterConfig.defaults().withCloseDrainMax(Duration.ofMillis(100));
        List<LoggedRecord> expected = new ArrayList<>();
        StoredLog stored = new StoredLog(storage, 0);
        LogReader reader = new LogReader(storage, TestPageOp.CODEC, ReadConsistency.ANY, () -> EpochHistory.EMPTY, 0);
        LogReader mtrReader = new LogReader(storage, TestPageOp.CODEC, ReadConsistency.QUORUM,
                () -> EpochHistory.EMPTY, 0);
        List<LoggedRecord> read = new ArrayList<>();
        List<LoggedRecord> readByMtr = new ArrayList<>();
        int notYet = 0;
        int partialTailReads = 0;
        try (LogWriter w = LogWriter.start(volume, config, LogTail.EMPTY, 0, new SimpleMeterRegistry())) {
            // "not yet" on an empty log, whatever the schedule below does
            if (reader.poll(10).isEmpty()) {
                notYet++;
            }
            List<ScheduledVolume.Pending> held = new ArrayList<>();
            for (int step = 0; step < 400; step++) {
                int n = 1 + rnd.nextInt(3);
                List<LogRecord> mtr = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    mtr.add(WalTestRecords.random(rnd, rnd.nextInt(20) == 0 ? 3 * LogBlock.LOG_BLOCK_PAYLOAD_BYTES
                            : 200));
                }
                LsnRange range = w.appendMtr(mtr);
                long lsn = range.startLsn();
                for (int i = 0; i < n; i++) {
                    int size = LogRecordCodec.encodedSize(mtr.get(i));
                    expected.add(new LoggedRecord(lsn, lsn + size, mtr.get(i), i == n - 1));
                    lsn += size;
                }
                volume.drainPending(held, 0);
                held = volume.shuffleAndRelease(held, rnd, rnd.nextDouble());
                long prefix = stored.prefixEnd();
                List<LoggedRecord> got = reader.poll(1 + rnd.nextInt(50));
                if (got.isEmpty()) {
                    notYet++;
                } else if (LogBlock.offsetOf(prefix) != 0
                        && LogBlock.blockOf(got.getLast().endLsn()) == LogBlock.blockOf(prefix)) {
                    partialTailReads++;
                }
                for (LoggedRecord r : got) {
                    assertTrue(r.endLsn() <= prefix, "record ending at " + r.endLsn() + " read but storage holds "
                            + prefix + " (seed " + seed + ")");
                }
                read.addAll(got);
                List<LoggedRecord> mtrs = mtrReader.pollMtrs(1 + rnd.nextInt(20));
                assertTrue(mtrs.isEmpty() || mtrs.getLast().mtrEnd(), "pollMtrs returns whole MTRs");
                readByMtr.addAll(mtrs);
            }
            // Let everything through and read to the end.
            long end = w.appendedLsn();
            var all = w.awaitDurable(end);
            while (!all.isDone()) {
                volume.drainPending(held, 20);
                held = volume.shuffleAndRelease(held, rnd, 1.0);
            }
            all.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            while (reader.nextLsn() < end) {
                List<LoggedRecord> got = reader.poll(100);
                // the log's last block is normally partly filled: reading up to the end reads it
                if (!got.isEmpty() && LogBlock.offsetOf(end) != 0
                        && LogBlock.blockOf(got.getLast().endLsn()) == LogBlock.blockOf(end)) {
                    partialTailReads++;
                }
                read.addAll(got);
            }
            while (mtrReader.nextLsn() < end) {
                readByMtr.addAll(mtrReader.pollMtrs(100));
            }
            assertTrue(reader.poll(10).isEmpty(), "nothing beyond the end");
        }
        System.out.println("reader: " + expected.size() + " records, " + notYet + " not-yet polls, "
                + partialTailReads + " reads ending in a partly filled tail block");
        assertSameRecords(expected, read, seed);
        assertSameRecords(expected, readByMtr, seed);
        assertTrue(notYet > 0, "the reader answered 'not yet' at least once");
        assertTrue(partialTailReads > 0 || LogBlock.offsetOf(expected.getLast().endLsn()) == 0,
                "a read ended in a partly filled tail block");
    }

    @Test
    void readAtReturnsTheRecordAtAnLsnForUndoChains() {
        MemoryVolume storage = new MemoryVolume(1);
        TestStream s = new TestStream();
        long prev = 0;
        List<Long> undoLsns = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long lsn = s.end();
            s.append(List.of(new LogRecord.Undo(9, prev, 1, LogRecord.UndoKind.UNDO_INSERT, new byte[i % 50 + 1],
                    new byte[0]), new LogRecord.PageRedo(9, i, new TestPageOp(0, new byte[i * 7 % 300]))));
            undoLsns.add(lsn);
            prev = lsn;
        }
        s.write(storage, 1, 0, s.end());
        LogReader reader = new LogReader(storage, TestPageOp.CODEC, ReadConsistency.QUORUM, () -> EpochHistory.EMPTY, 0);
        // Walk the chain backwards from the last undo record.
        long at = prev;
        int seen = 0;
        while (true) {
            LoggedRecord r = reader.readAt(at).orElseThrow();
            LogRecord.Undo u = (LogRecord.Undo) r.record();
            assertEquals(undoLsns.get(undoLsns.size() - 1 - seen), r.lsn());
            seen++;
            if (u.prevLsn() == 0 && r.lsn() == 0) {
                break;
            }
            at = u.prevLsn();
        }
        assertEquals(200, seen);
        assertEquals(0, reader.nextLsn(), "readAt does not move the reader");
        assertTrue(reader.readAt(s.end()).isEmpty(), "nothing at the end yet");
    }

    @Test
    void aMissingBlockIsNotYetNeverTheEnd() {
        MemoryVolume storage = new MemoryVolume(1);
        TestStream s = new TestStream();
        while (s.end() < 3L * LogBlock.LOG_BLOCK_PAYLOAD_BYTES) {
            s.append(List.of(new LogRecord.Commit(1, 0, s.end())));
        }
        // Blocks 0 and 2 are in storage, block 1 is not yet.
        storage.write(s.block(0, 1, s.end()).toBlock(1)).join();
        storage.write(s.block(2, 1, s.end()).toBlock(1)).join();
        LogReader reader = new LogReader(storage, TestPageOp.CODEC, ReadConsistency.QUORUM, () -> EpochHistory.EMPTY, 0);
        List<LoggedRecord> first = reader.poll(Integer.MAX_VALUE);
        assertFalse(first.isEmpty());
        assertTrue(first.getLast().endLsn() <= LogBlock.LOG_BLOCK_PAYLOAD_BYTES);
        assertTrue(reader.poll(10).isEmpty());
        storage.write(s.block(1, 1, s.end()).toBlock(1)).join();
        List<LoggedRecord> rest = new ArrayList<>(first);
        rest.addAll(reader.poll(Integer.MAX_VALUE));
        assertSameRecords(s.recordsBelow(s.end()).stream()
                .filter(r -> r.endLsn() <= LogBlock.startLsn(2) + s.block(2, 1, s.end()).usedBytes()).toList(),
                rest, 0);
    }

    @Test
    void aCorruptBlockIsReportedNotSkipped() {
        MemoryVolume storage = new MemoryVolume(1);
        TestStream s = new TestStream();
        while (s.end() < 2L * LogBlock.LOG_BLOCK_PAYLOAD_BYTES) {
            s.append(List.of(new LogRecord.Commit(1, 0, s.end())));
        }
        s.write(storage, 1, 0, s.end());
        // Block 1 carries block 2's number in its header (a misplaced write), properly checksummed.
        LogBlock b1 = s.block(1, 1, s.end());
        Block wrong = new LogBlock(2, 1, b1.usedBytes(), b1.firstRecordOffset(), b1.payload()).toBlock(1);
        storage.write(new Block(io.cacdb.dax.block.BlockAddress.log(1, 1), LogBlock.version(2, 1),
                wrong.crc32c(), wrong.payload())).join();
        LogReader reader = new LogReader(storage, TestPageOp.CODEC, ReadConsistency.QUORUM, () -> EpochHistory.EMPTY, 0);
        // The valid records before the bad block come first, then the corruption, at the same position every time.
        List<LoggedRecord> valid = reader.poll(100_000);
        assertSameRecords(s.recordsBelow(LogBlock.startLsn(1)), valid, 0);
        for (int attempt = 0; attempt < 2; attempt++) {
            CorruptLogException e = assertThrows(CorruptLogException.class, () -> reader.poll(1000));
            assertEquals(LogBlock.startLsn(1), e.lsn());
            assertEquals(valid.getLast().endLsn(), reader.nextLsn(), "the position stays before the bad bytes");
        }
    }

    @Test
    void aRecordStartThatContradictsTheBlockHeaderIsCorrupt() {
        MemoryVolume storage = new MemoryVolume(1);
        TestStream s = new TestStream();
        s.append(List.of(new LogRecord.Commit(1, 0, 1), new LogRecord.Commit(2, 0, 2)));
        LogBlock b = s.block(0, 1, s.end());
        storage.write(new LogBlock(0, 1, b.usedBytes(), 5, b.payload()).toBlock(1)).join();
        LogReader reader = new LogReader(storage, TestPageOp.CODEC, ReadConsistency.QUORUM, () -> EpochHistory.EMPTY, 0);
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> reader.poll(10));
        assertTrue(e.getMessage().contains("first-record offset"), e.getMessage());
    }

    /**
     * After a takeover at X, blocks of the old epoch hold a stale tail beyond X. A reader must read the old epoch's
     * records below X, then the new epoch's, and never a stale byte — with the epoch history, and also without it
     * (epochs never decrease along the log), and also before the new epoch has rewritten the block holding X.
     */
    @Test
    void staleTailOfAnOldEpochIsVoid() {
        MemoryVolume storage = new MemoryVolume(1);
        TestStream old = new TestStream();
        long x = 0;
        while (old.end() < 4L * LogBlock.LOG_BLOCK_PAYLOAD_BYTES) {
            long end = old.append(List.of(new LogRecord.PageRedo(1, old.end() % 97, new TestPageOp(0, new byte[90])),
                    new LogRecord.Commit(1, 0, old.end())));
            if (x == 0 && end > LogBlock.LOG_BLOCK_PAYLOAD_BYTES + 100) {
                x = end; // the durable end the takeover found: an MTR boundary in block 1
            }
        }
        old.write(storage, 1, 0, old.end()); // epoch 1 wrote blocks 0-3, beyond X (never made durable)
        EpochHistory history = EpochHistory.EMPTY.with(2, x);

        // Before epoch 2 writes anything: with the history, the reader stops at X.
        LogReader early = new LogReader(storage, TestPageOp.CODEC, ReadConsistency.QUORUM, () -> history, 0);
        assertSameRecords(old.recordsBelow(x), drain(early), 0);
        assertEquals(x, early.nextLsn());

        // Epoch 2 continues from X inside block 1, writing less than the stale tail.
        TestStream neu = old.prefix(x);
        neu.append(List.of(new LogRecord.EpochStart(2, x)));
        for (int i = 0; i < 5; i++) {
            neu.append(List.of(new LogRecord.Commit(50 + i, 0, i)));
        }
        assertTrue(LogBlock.blockOf(neu.end()) == 1, "epoch 2 ends inside block 1");
        neu.write(storage, 2, x, neu.end());

        for (EpochHistory h : List.of(history, EpochHistory.EMPTY)) {
            LogReader reader = new LogReader(storage, TestPageOp.CODEC, ReadConsistency.QUORUM, () -> h, 0);
            assertSameRecords(neu.records(), drain(reader), 0);
            assertEquals(neu.end(), reader.nextLsn());
        }
        // The reader that stopped at X continues with epoch 2's records.
        List<LoggedRecord> more = drain(early);
        long takeoverAt = x;
        assertSameRecords(neu.records().stream().filter(r -> r.lsn() >= takeoverAt).toList(), more, 0);
    }

    private static List<LoggedRecord> drain(LogReader reader) {
        List<LoggedRecord> out = new ArrayList<>();
        while (true) {
            List<LoggedRecord> got = reader.poll(1000);
            if (got.isEmpty()) {
                return out;
            }
            out.addAll(got);
        }
    }

    static void assertSameRecords(List<LoggedRecord> expected, List<LoggedRecord> actual, long seed) {
        assertEquals(expected.size(), actual.size(), "record count (seed " + seed + ")");
        for (int i = 0; i < expected.size(); i++) {
            LoggedRecord e = expected.get(i);
            LoggedRecord a = actual.get(i);
            String where = "record " + i + " (seed " + seed + ")";
            assertEquals(e.lsn(), a.lsn(), where);
            assertEquals(e.endLsn(), a.endLsn(), where);
            assertEquals(e.mtrEnd(), a.mtrEnd(), where);
            assertTrue(WalTestRecords.same(e.record(), a.record()), where + ": " + e.record() + " vs " + a.record());
        }
    }
}
