package io.cacdb.engine.wal;

import static io.cacdb.engine.wal.LogReaderTest.assertSameRecords;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Space;
import io.cacdb.engine.mtr.LogSink.LsnRange;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogTruncatorTest {

    private static final long TIMEOUT_SECONDS = 30;

    @Test
    void theLogShrinksBelowTheRedoStartAndStillReadsFromIt() throws Exception {
        MemoryVolume storage = new MemoryVolume(1);
        ScheduledVolume volume = new ScheduledVolume(storage, ScheduledVolume.Mode.ASYNC, Runnable::run);
        List<LoggedRecord> appended = new ArrayList<>();
        AtomicLong retentionFloor = new AtomicLong(Long.MAX_VALUE);
        try (LogWriter w = LogWriter.start(volume, LogWriterConfig.defaults(), LogTail.EMPTY, 0,
                new SimpleMeterRegistry())) {
            for (int i = 0; i < 400; i++) {
                List<LogRecord> mtr = List.of(new LogRecord.PageRedo(i, i, new TestPageOp(0, new byte[500])),
                        new LogRecord.Commit(i, 0, i));
                LsnRange r = w.appendMtr(mtr);
                long lsn = r.startLsn();
                for (int k = 0; k < 2; k++) {
                    int size = LogRecordCodec.encodedSize(mtr.get(k));
                    appended.add(new LoggedRecord(lsn, lsn + size, mtr.get(k), k == 1));
                    lsn += size;
                }
            }
            w.awaitDurable(w.appendedLsn()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long blocksBefore = storage.snapshot(Space.LOG).size();

            // A checkpoint whose redo start is an MTR boundary in the middle of the log.
            LoggedRecord redoStartRecord = appended.get(appended.size() / 2 + 1);
            long redoStart = redoStartRecord.endLsn();
            w.appendMtr(List.of(new LogRecord.Checkpoint(redoStart, List.of(), List.of())));
            long checkpointLsn = w.appendedLsn() - LogRecordCodec.encodedSize(
                    new LogRecord.Checkpoint(redoStart, List.of(), List.of()));
            w.awaitDurable(w.appendedLsn()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            MetaRecords.writeCheckpoint(volume, new CheckpointPointer(checkpointLsn, redoStart)).join();

            LogTruncator truncator = new LogTruncator(volume,
                    () -> MetaRecords.readCheckpoint(volume).join().orElseThrow().value().redoStartLsn(),
                    retentionFloor::get, w::durableLsn, w::truncationAdvanced);

            // A retention floor (a lagging standby) holds blocks back.
            long floor = appended.get(appended.size() / 4).lsn();
            retentionFloor.set(floor);
            assertEquals(LogBlock.startLsn(LogBlock.blockOf(floor)),
                    truncator.truncate().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals(LogBlock.blockOf(floor), storage.snapshot(Space.LOG).firstKey(),
                    "the block holding the floor is kept, everything below is gone");

            // Without the floor, truncation goes up to the block holding the redo start, not further.
            retentionFloor.set(Long.MAX_VALUE);
            long truncatedTo = truncator.truncate().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(LogBlock.startLsn(LogBlock.blockOf(redoStart)), truncatedTo);
            assertEquals(LogBlock.blockOf(redoStart), storage.snapshot(Space.LOG).firstKey());
            assertTrue(storage.snapshot(Space.LOG).size() < blocksBefore / 2 + 2,
                    "the log shrank: " + storage.snapshot(Space.LOG).size() + " of " + blocksBefore + " blocks");
            assertEquals(truncatedTo, w.truncatedBelowLsn(), "the writer's budget counts from the new start");
            // Never goes back.
            retentionFloor.set(0);
            assertEquals(truncatedTo, truncator.truncate().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));

            // Recovery still reads from the redo start, and finds the end from the checkpoint.
            LogReader reader = new LogReader(storage, TestPageOp.CODEC, ReadConsistency.QUORUM,
                    () -> EpochHistory.EMPTY, redoStart);
            List<LoggedRecord> read = new ArrayList<>();
            for (List<LoggedRecord> got = reader.poll(500); !got.isEmpty(); got = reader.poll(500)) {
                read.addAll(got);
            }
            List<LoggedRecord> expected = new ArrayList<>(appended.stream().filter(r -> r.lsn() >= redoStart)
                    .toList());
            assertSameRecords(expected, read.subList(0, expected.size()), 0);
            assertTrue(read.getLast().record() instanceof LogRecord.Checkpoint);
            assertEquals(w.appendedLsn(),
                    LogEnd.find(storage, TestPageOp.CODEC, EpochHistory.EMPTY, checkpointLsn).endLsn());
        }
    }
}
