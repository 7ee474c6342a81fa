package io.cacdb.engine.wal;

import static io.cacdb.engine.wal.LogReaderTest.assertSameRecords;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.mtr.LogSink.LsnRange;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LogEndTest {

    private static final long TIMEOUT_SECONDS = 30;

    /** Everything one writer incarnation appended, and what it acknowledged as durable. */
    private record Run(List<LoggedRecord> appended, List<Long> mtrEnds, long durableAtCrash) {
    }

    /**
     * A writer runs under a seeded schedule and crashes: some writes reached storage (later blocks sometimes before
     * earlier ones), the rest are dropped. The end found at quorum is the last MTR end inside the stored prefix,
     * covers every commit that was acknowledged, and a new epoch continues from it with a log that reads back as
     * exactly the surviving records then the new ones — even though the old epoch's stale blocks remain beyond.
     * Then the new epoch crashes too, having written less than the stale tail, and its end is found, not the stale
     * tail's.
     */
    @Test
    void findsTheEndAfterCrashesAndAcrossAStaleTailOfAnOldEpoch() throws Exception {
        long seed = WalTestRecords.seed("findsTheEndAfterCrashesAndAcrossAStaleTailOfAnOldEpoch");
        Random rnd = new Random(seed);
        MemoryVolume storage = new MemoryVolume(1);
        StoredLog storedFromZero = new StoredLog(storage, 0);

        // Epoch 1 writes and crashes, leaving holes: later blocks acknowledged while an earlier one was not.
        Run first = runAndCrash(storage, LogTail.EMPTY, rnd, 300, true);
        long prefix1 = storedFromZero.prefixEnd();
        long expectedEnd1 = lastMtrEndAtOrBelow(first.mtrEnds(), prefix1);
        LogTail tail1 = LogEnd.find(storage, TestPageOp.CODEC, EpochHistory.EMPTY, 0);
        assertEquals(expectedEnd1, tail1.endLsn(), "seed " + seed);
        // Every MTR the writer had made durable (so every commit it could have acknowledged) survives.
        assertTrue(tail1.endLsn() >= lastMtrEndAtOrBelow(first.mtrEnds(), first.durableAtCrash()),
                "end " + tail1.endLsn() + " below the durable LSN at the crash " + first.durableAtCrash());
        assertTailPrefixMatches(storage, tail1);
        long staleBlocks = storage.snapshot(io.cacdb.dax.block.Space.LOG).lastKey();
        assertTrue(staleBlocks > LogBlock.blockOf(tail1.endLsn()), "the crash left a stale tail beyond the end"
                + " (seed " + seed + ")");

        // Takeover: epoch 2 records where it starts, then continues from the end found.
        MemoryVolume epoch2 = storage.withEpoch(2);
        EpochHistory history = MetaRecords.appendEpoch(epoch2, 2, tail1.endLsn()).join();
        Run second = runAndCrash(epoch2, tail1, rnd, 3 + rnd.nextInt(5), false);
        LogTail tail2 = LogEnd.find(storage, TestPageOp.CODEC, history, 0);
        long expectedEnd2 = lastMtrEndAtOrBelow(second.mtrEnds(), tail2.endLsn());
        assertEquals(second.mtrEnds().getLast(), tail2.endLsn(), "epoch 2 made everything durable before its crash");
        assertEquals(expectedEnd2, tail2.endLsn());
        assertTrue(LogBlock.blockOf(tail2.endLsn()) < staleBlocks, "epoch 2 wrote less than the stale tail");
        assertTailPrefixMatches(storage, tail2);

        // The log reads back as epoch 1's survivors, then epoch 2's records; never a stale byte.
        List<LoggedRecord> expected = new ArrayList<>(first.appended().stream()
                .filter(r -> r.endLsn() <= tail1.endLsn()).toList());
        expected.addAll(second.appended());
        for (EpochHistory h : List.of(history, EpochHistory.EMPTY)) {
            LogReader reader = new LogReader(storage, TestPageOp.CODEC, ReadConsistency.QUORUM, () -> h, 0);
            List<LoggedRecord> read = new ArrayList<>();
            for (List<LoggedRecord> got = reader.poll(1000); !got.isEmpty(); got = reader.poll(1000)) {
                read.addAll(got);
            }
            assertSameRecords(expected, read, seed);
        }

        // Finding the end from a later start (a checkpoint inside epoch 1's part) gives the same answer.
        List<LoggedRecord> mtrEndsBelow = expected.stream().filter(LoggedRecord::mtrEnd)
                .filter(r -> r.endLsn() < tail1.endLsn()).toList();
        long checkpointLsn = mtrEndsBelow.isEmpty() ? 0 : mtrEndsBelow.get(mtrEndsBelow.size() / 2).endLsn();
        assertEquals(tail2.endLsn(), LogEnd.find(storage, TestPageOp.CODEC, history, checkpointLsn).endLsn());
    }

    @Test
    void anEmptyLogEndsWhereItStartsAndAMissingStartIsCorrupt() {
        MemoryVolume storage = new MemoryVolume(1);
        LogTail empty = LogEnd.find(storage, TestPageOp.CODEC, EpochHistory.EMPTY, 0);
        assertEquals(0, empty.endLsn());
        assertEquals(0, empty.tailBlockPrefix().length);
        CorruptLogException e = assertThrows(CorruptLogException.class,
                () -> LogEnd.find(storage, TestPageOp.CODEC, EpochHistory.EMPTY, 100));
        assertEquals(100, e.lsn());
    }

    @Test
    void aPartialMtrAtTheEndIsNotPartOfTheLog() {
        MemoryVolume storage = new MemoryVolume(1);
        TestStream s = new TestStream();
        long whole = s.append(List.of(new LogRecord.Commit(1, 0, 1)));
        // An MTR of three records of which only the first two reached storage.
        s.append(List.of(new LogRecord.PageRedo(2, 1, new TestPageOp(0, new byte[10])),
                new LogRecord.PageRedo(2, 2, new TestPageOp(0, new byte[10])), new LogRecord.Commit(2, 0, 2)));
        long twoRecords = s.records().get(2).endLsn();
        s.write(storage, 1, 0, twoRecords);
        LogTail tail = LogEnd.find(storage, TestPageOp.CODEC, EpochHistory.EMPTY, 0);
        assertEquals(whole, tail.endLsn());
        assertEquals(0, tail.tailFirstRecordOffset());
        assertArrayEquals(Arrays.copyOf(s.bytes(), (int) whole), tail.tailBlockPrefix());
    }

    @Test
    void aLongLogIsSearchedNotScannedFromTheStart() {
        MemoryVolume storage = new MemoryVolume(1);
        TestStream s = new TestStream();
        while (s.end() < 300L * LogBlock.LOG_BLOCK_PAYLOAD_BYTES) {
            s.append(List.of(new LogRecord.PageRedo(1, 1, new TestPageOp(0, new byte[700])),
                    new LogRecord.Commit(1, 0, s.end())));
        }
        s.write(storage, 1, 0, s.end());
        CountingVolume counting = new CountingVolume(storage);
        LogTail tail = LogEnd.find(counting, TestPageOp.CODEC, EpochHistory.EMPTY, 0);
        assertEquals(s.end(), tail.endLsn());
        // Exponential + binary search, then a scan of the hole window: far fewer reads than 300 blocks.
        assertTrue(counting.reads() < 2 * LogEnd.HOLE_WINDOW_BLOCKS + 60, "reads: " + counting.reads());
    }

    private static void assertTailPrefixMatches(MemoryVolume storage, LogTail tail) {
        if (tail.tailBlockPrefix().length == 0) {
            return;
        }
        LogBlock b = LogBlock.decode(storage.snapshot(io.cacdb.dax.block.Space.LOG)
                .get(LogBlock.blockOf(tail.endLsn())), LogBlock.blockOf(tail.endLsn()));
        assertArrayEquals(Arrays.copyOf(b.payload(), tail.tailBlockPrefix().length), tail.tailBlockPrefix());
    }

    private static long lastMtrEndAtOrBelow(List<Long> mtrEnds, long lsn) {
        return mtrEnds.stream().filter(e -> e <= lsn).max(Comparator.naturalOrder()).orElse(0L);
    }

    /**
     * Runs a writer from {@code start} for {@code mtrs} MTRs under a seeded schedule, then crashes it. With
     * {@code leaveHoles}, a random subset of the writes reaches storage, later ones preferred, and the rest are
     * dropped; otherwise everything is released before the crash.
     */
    private static Run runAndCrash(MemoryVolume storage, LogTail start, Random rnd, int mtrs, boolean leaveHoles)
            throws Exception {
        ScheduledVolume volume = new ScheduledVolume(storage, ScheduledVolume.Mode.HOLD, null);
        LogWriterConfig config = LogWriterConfig.defaults().withCloseDrainMax(Duration.ofMillis(50));
        List<LoggedRecord> appended = new ArrayList<>();
        List<Long> mtrEnds = new ArrayList<>();
        long durable;
        LogWriter w = LogWriter.start(volume, config, start, 0, new SimpleMeterRegistry());
        try {
            List<ScheduledVolume.Pending> held = new ArrayList<>();
            for (int i = 0; i < mtrs; i++) {
                List<LogRecord> mtr = List.of(new LogRecord.PageRedo(i, i, new TestPageOp(0,
                        new byte[rnd.nextInt(rnd.nextInt(10) == 0 ? 9000 : 400)])), new LogRecord.Commit(i, 0, i));
                LsnRange r = w.appendMtr(mtr);
                long lsn = r.startLsn();
                for (int k = 0; k < mtr.size(); k++) {
                    int size = LogRecordCodec.encodedSize(mtr.get(k));
                    appended.add(new LoggedRecord(lsn, lsn + size, mtr.get(k), k == mtr.size() - 1));
                    lsn += size;
                }
                mtrEnds.add(r.endLsn());
                volume.drainPending(held, 0);
                // Keep a backlog so that several blocks are in flight at once, then release at random.
                if (held.size() > 2 || !leaveHoles) {
                    held = volume.shuffleAndRelease(held, rnd, leaveHoles ? 0.6 : 1.0);
                }
            }
            if (!leaveHoles) {
                CompletableFuture<Void> all = w.awaitDurable(w.appendedLsn());
                while (!all.isDone()) {
                    volume.drainPending(held, 20);
                    held = volume.shuffleAndRelease(held, rnd, 1.0);
                }
                all.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } else {
                // The crash: the lowest held block never arrives, but some writes after it do.
                volume.drainPending(held, 20);
                held.sort(Comparator.comparingLong(ScheduledVolume.Pending::blockNo));
                for (int i = 1; i < held.size(); i++) {
                    if (rnd.nextBoolean() || i == held.size() - 1) {
                        volume.release(held.get(i));
                    }
                }
            }
            durable = w.durableLsn();
        } finally {
            w.close();
        }
        return new Run(appended, mtrEnds, durable);
    }

    /** Counts block reads, to show the end is found by search. */
    private static final class CountingVolume implements io.cacdb.engine.volume.VolumeReader {
        private final MemoryVolume inner;
        private int reads;

        CountingVolume(MemoryVolume inner) {
            this.inner = inner;
        }

        int reads() {
            return reads;
        }

        @Override
        public long volume() {
            return inner.volume();
        }

        @Override
        public CompletableFuture<java.util.Optional<io.cacdb.dax.block.Block>> read(
                io.cacdb.dax.block.BlockAddress address, ReadConsistency consistency,
                io.cacdb.dax.block.Version atLeast) {
            reads++;
            return inner.read(address, consistency, atLeast);
        }

        @Override
        public void close() {
        }
    }
}
