package io.cacdb.replay;

import io.cacdb.engine.volume.HoldingVolume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.Engine;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.wal.CheckpointPointer;
import io.cacdb.engine.wal.EpochHistory;
import io.cacdb.engine.wal.LogEnd;
import io.cacdb.engine.wal.LogRecordCodec;
import io.cacdb.engine.wal.LogTail;
import io.cacdb.engine.wal.MetaRecords;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Engine#takeOver}: the hand-over sequence of {@link TakeoverCatchUpTest} as the one call the node makes. The
 * active dies mid-transaction, the standby catches up to the durable end, the engine takes its warm pool, undoes the
 * losers and serves; the new active commits more; a later crash recovery finds exactly the committed contents.
 */
class EngineTakeOverTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void takesOverWithTheWarmPoolUndoesTheLosersAndServes() throws Exception {
        long seed = TestSeeds.seed("EngineTakeOverTest");
        SplittableRandom r = new SplittableRandom(seed);
        MemoryVolume storage = new MemoryVolume(102);
        HoldingVolume holding = new HoldingVolume(storage, seed, HoldingVolume.Mode.AUTO);
        EngineConfig config = EngineConfig.defaults().withBufferPoolFrames(128);
        LogRecordCodec codec = new LogRecordCodec(PageOps::decode);
        StandbyFixture s = StandbyFixture.started(storage, StandbyConfig.defaults().withFrames(512));
        Workload w;
        try {
            Engine engine = Engine.open(holding, config, new SimpleMeterRegistry(), s.replayer.asSupplier());
            w = new Workload(engine, r, 3);
            w.run(100, 6, 0.2, 0.03);
            w.openTransaction(2);
            w.run(20, 4, 0.0, 0.0);
            w.openTransaction(4);
            w.awaitDurable();
            holding.setMode(HoldingVolume.Mode.MANUAL);
            Transaction lost = engine.transactions().begin(io.cacdb.engine.lock.IsolationLevel.SERIALIZABLE, false);
            CompletableFuture<Void> dying = CompletableFuture.runAsync(() -> w.changeIn(lost, 2));
            assertTrue(holding.awaitHeld(1, 30_000), "a write of the dying active is held");
            engine.closeAbruptly();
            holding.crash();
            dying.handle((v, e) -> null).get(30, TimeUnit.SECONDS);
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }

        MemoryVolume fenced = storage.withEpoch(2);
        EpochHistory history = MetaRecords.epochHistory(fenced).get(30, TimeUnit.SECONDS);
        CheckpointPointer pointer = MetaRecords.readCheckpoint(fenced).get(30, TimeUnit.SECONDS).orElseThrow().value();
        LogTail tail = LogEnd.find(fenced, codec, history, pointer.redoStartLsn());
        CatchUp cu = s.replayer.catchUpTo(tail.endLsn(), WAIT);
        assertEquals(2, cu.losers().size(), "the two open transactions");
        Handover h = s.replayer.handOver();
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        Workload more;
        try (Engine active = Engine.takeOver(fenced, config, reg, () -> Long.MAX_VALUE,
                new Engine.WarmStart(h.pool(), s.scheduler, tail, pointer.redoStartLsn(), history, h.losers()))) {
            assertEquals(List.of("new_epoch", "write_path", "undo", "serve"),
                    List.copyOf(active.openSteps().keySet()));
            assertEquals(2, active.recoveryReport().undo().losersRolledBack());
            assertEquals(2, active.epoch());
            assertEquals(List.of(new EpochHistory.Entry(2, tail.endLsn())), active.epochHistory().entries().subList(
                    active.epochHistory().entries().size() - 1, active.epochHistory().entries().size()));
            assertTrue(w.model().equals(Contents.indexes(active.pageSource())), "exactly the committed contents");
            more = w.on(active, r);
            more.run(40, 5, 0.1, 0.05);
            assertTrue(more.model().equals(Contents.indexes(active.pageSource())), "commits after the takeover");
            System.out.println("EngineTakeOverTest: seed " + seed + ", end of log " + tail.endLsn() + ", steps "
                    + active.openSteps());
        } finally {
            s.close();
        }
        try (Engine again = Engine.open(storage.withEpoch(3), config, new SimpleMeterRegistry())) {
            assertEquals(0, again.recoveryReport().undo().losersRolledBack(), "the takeover left nothing to undo");
            assertTrue(more.model().equals(Contents.indexes(again.pageSource())), "a later crash recovery agrees");
        }
    }
}
