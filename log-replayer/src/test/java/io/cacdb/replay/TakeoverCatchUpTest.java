package io.cacdb.replay;

import io.cacdb.engine.volume.HoldingVolume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.Engine;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.bufferpool.BufferPool;
import io.cacdb.engine.bufferpool.DurableLog;
import io.cacdb.engine.index.IndexDirectory;
import io.cacdb.engine.lock.LockConfig;
import io.cacdb.engine.lock.LockManager;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.recovery.Analysis;
import io.cacdb.engine.recovery.Recovery;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.txn.TransactionConfig;
import io.cacdb.engine.txn.TransactionManager;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.wal.CheckpointPointer;
import io.cacdb.engine.wal.EpochHistory;
import io.cacdb.engine.wal.LogEnd;
import io.cacdb.engine.wal.LogReader;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LogRecordCodec;
import io.cacdb.engine.wal.LogTail;
import io.cacdb.engine.wal.LogWriter;
import io.cacdb.engine.wal.LogWriterConfig;
import io.cacdb.engine.wal.LoggedRecord;
import io.cacdb.engine.wal.MetaRecords;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What takeover calls, driven the way takeover will: the active dies mid-transaction (a crash that drops every write
 * storage had not acknowledged); the new active fences (a higher epoch), finds the durable end of the log with
 * {@code LogEnd}; the standby catches up to exactly that end and reports exactly the transactions in flight as
 * losers; then, with the handed-over warm pool, the log continues at the new epoch, the losers are undone, and the
 * contents are exactly the committed ones — also after a later crash recovery.
 */
class TakeoverCatchUpTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void standbyCatchesUpToTheDurableEndAndReportsExactlyTheInFlightTransactions() throws Exception {
        long seed = TestSeeds.seed("TakeoverCatchUpTest");
        SplittableRandom r = new SplittableRandom(seed);
        MemoryVolume storage = new MemoryVolume(101);
        HoldingVolume holding = new HoldingVolume(storage, seed, HoldingVolume.Mode.AUTO);
        EngineConfig activeConfig = EngineConfig.defaults().withBufferPoolFrames(128);
        LogRecordCodec codec = new LogRecordCodec(PageOps::decode);
        try (StandbyFixture s = StandbyFixture.started(storage, StandbyConfig.defaults().withFrames(512))) {
            Engine engine = Engine.open(holding, activeConfig, new SimpleMeterRegistry(), s.replayer.asSupplier());
            Workload w = new Workload(engine, r, 3);
            w.run(120, 6, 0.2, 0.02);
            Transaction t1 = w.openTransaction(3);
            w.run(30, 6, 0.2, 0.0);
            Transaction t2 = w.openTransaction(1);
            engine.checkpointer().checkpoint(); // a checkpoint whose transaction table lists t1 and t2
            Transaction t3 = w.openTransaction(5);
            w.run(10, 4, 0.0, 0.0);
            w.awaitDurable();
            Set<Long> inFlight = Set.of(t1.id(), t2.id(), t3.id());

            // The crash: a last transaction's writes never reach storage.
            holding.setMode(HoldingVolume.Mode.MANUAL);
            Transaction t4 = engine.transactions().begin(io.cacdb.engine.lock.IsolationLevel.SERIALIZABLE, false);
            CompletableFuture<Void> lost = CompletableFuture.runAsync(() -> w.changeIn(t4, 2));
            assertTrue(holding.awaitHeld(1, 30_000), "a write of the dying active is held");
            engine.closeAbruptly();
            holding.crash();
            lost.handle((v, e) -> null).get(30, TimeUnit.SECONDS);

            // Takeover, as the new active will do it: fence, end of log, catch up.
            MemoryVolume fenced = storage.withEpoch(2);
            EpochHistory history = MetaRecords.epochHistory(fenced).get(30, TimeUnit.SECONDS);
            CheckpointPointer pointer = MetaRecords.readCheckpoint(fenced).get(30, TimeUnit.SECONDS).orElseThrow()
                    .value();
            LogTail tail = LogEnd.find(fenced, codec, history, pointer.redoStartLsn());
            long end = tail.endLsn();
            assertThrows(ReplayedBeyondEndException.class, () -> s.replayer.catchUpTo(
                    Math.min(s.replayer.replayedLsn(), end) - 1, WAIT), "an end below what was replayed is refused");
            CatchUp cu = s.replayer.catchUpTo(end, WAIT);
            assertEquals(ReplayState.FINISHED, s.replayer.state());
            assertEquals(end, s.replayer.replayedLsn());
            assertEquals(inFlight, cu.losers().stream().map(Analysis.Loser::txnId).collect(Collectors.toSet()),
                    "exactly the transactions in flight are losers");
            assertEquals(independentLosers(fenced, codec, history, pointer, end), cu.losers(),
                    "the same losers, last LSNs and undo-next LSNs as an analysis of the log from the checkpoint");
            assertEquals(1, cu.epoch());
            System.out.println("TakeoverCatchUpTest: end of log " + end + " (" + w.commits + " commits), losers "
                    + cu.losers() + ", catch-up " + cu.duration().toMillis() + " ms");

            // The rest of the takeover with the warm pool: new epoch, log writer, write path, undo, serve.
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            EpochHistory history2 = MetaRecords.appendEpoch(fenced, 2, end).get(30, TimeUnit.SECONDS);
            LogWriter logWriter = LogWriter.start(fenced, LogWriterConfig.defaults(), tail, pointer.redoStartLsn(),
                    reg);
            logWriter.appendMtr(List.of(new LogRecord.EpochStart(2, end)));
            Handover h = s.replayer.handOver();
            assertEquals(ReplayState.HANDED_OVER, s.replayer.state());
            BufferPool pool = h.pool();
            pool.attachWritePath(fenced, new DurableLog() {
                @Override
                public long durableLsn() {
                    return logWriter.durableLsn();
                }

                @Override
                public CompletableFuture<Void> awaitDurable(long lsn) {
                    return logWriter.awaitDurable(lsn);
                }
            });
            pool.start();
            TransactionManager txns = new TransactionManager(pool, logWriter, new LockManager(LockConfig.defaults(),
                    reg), TransactionConfig.defaults(), reg);
            IndexDirectory directory = IndexDirectory.open(txns);
            txns.setIndexResolver(directory);
            LogReader chain = new LogReader(fenced, codec, ReadConsistency.QUORUM, () -> history2,
                    pointer.redoStartLsn());
            Recovery.UndoResult undo = Recovery.undo(h.losers(), chain, txns, directory);
            assertEquals(3, undo.losersRolledBack());
            txns.startServing();
            assertEquals(w.model(), Contents.indexes(pool), "after undo: exactly the committed contents");
            pool.flushAll(Duration.ofSeconds(30));
            logWriter.awaitDurable(logWriter.appendedLsn()).get(30, TimeUnit.SECONDS);
            pool.close();
            logWriter.close();

            // And what the new active wrote is a consistent log: a later crash recovery finds the same.
            try (Engine again = Engine.open(storage.withEpoch(3), activeConfig, new SimpleMeterRegistry())) {
                assertEquals(0, again.recoveryReport().undo().losersRolledBack(), "nothing left to undo");
                assertEquals(w.model(), Contents.indexes(again.pageSource()));
            }
        }
    }

    private static List<Analysis.Loser> independentLosers(MemoryVolume volume, LogRecordCodec codec,
                                                          EpochHistory history, CheckpointPointer pointer, long end) {
        LogReader reader = new LogReader(volume, codec, ReadConsistency.QUORUM, () -> history,
                pointer.redoStartLsn());
        Analysis a = new Analysis(pointer.checkpointLsn());
        while (reader.nextLsn() < end) {
            List<LoggedRecord> batch = reader.pollMtrs(1024);
            assertTrue(!batch.isEmpty(), "the log is readable up to " + end);
            for (LoggedRecord rec : batch) {
                if (rec.lsn() < end) {
                    a.accept(rec);
                }
            }
        }
        return a.losers();
    }
}
