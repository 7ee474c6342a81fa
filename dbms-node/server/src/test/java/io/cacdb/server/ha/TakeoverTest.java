package io.cacdb.server.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.client.QuorumNotReachedException;
import io.cacdb.engine.Database;
import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.table.RowCursor;
import io.cacdb.engine.table.ScanSpec;
import io.cacdb.engine.table.TableSpec;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.volume.VolumeWriter;
import io.cacdb.engine.wal.EpochHistory;
import io.cacdb.engine.wal.LogEnd;
import io.cacdb.engine.wal.LogRecordCodec;
import io.cacdb.engine.wal.MetaRecords;
import io.cacdb.ioscheduler.IoScheduler;
import io.cacdb.ioscheduler.IoSchedulerConfig;
import io.cacdb.replay.StandbyConfig;
import io.cacdb.replay.StandbyReplayer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The takeover orchestration on memory storage, one test per row of its decision table ({@link Takeover}): warm with
 * the standby's pool; cold when there is no replayer, when the standby replayed bytes beyond the durable end (written
 * by the dying active to fewer than W replicas: visible to the standby's quorum read, not to the takeover's), when the
 * standby cannot catch up in time, and when the warm takeover itself fails after storing the new epoch. Every case
 * ends with exactly the acknowledged commits.
 */
class TakeoverTest {

    static final EngineConfig ENGINE = EngineConfig.defaults().withBufferPoolFrames(256);
    static final Duration BOUND = Duration.ofSeconds(30);

    /** Memory storage that fences like DAX (the fenced epoch only rises) and can refuse META writes of one epoch. */
    static final class MemoryStorage implements TakeoverStorage {
        final MemoryVolume storage;
        long fenced = 1;
        long failMetaWritesAt = -1;

        MemoryStorage(MemoryVolume storage) {
            this.storage = storage;
        }

        @Override
        public long volume() {
            return storage.volume();
        }

        @Override
        public VolumeReader reader() {
            return storage;
        }

        @Override
        public long fence(long epoch, Duration timeout) {
            fenced = Math.max(fenced, epoch);
            return fenced;
        }

        @Override
        public VolumeWriter writer(long epoch) {
            MemoryVolume w = storage.withEpoch(epoch);
            return epoch == failMetaWritesAt ? new FailingMeta(w) : w;
        }
    }

    /** A writer whose META writes fail (as when storage refuses them): the warm takeover fails at its first step. */
    record FailingMeta(MemoryVolume delegate) implements VolumeWriter {
        @Override
        public long volume() {
            return delegate.volume();
        }

        @Override
        public long epoch() {
            return delegate.epoch();
        }

        @Override
        public CompletableFuture<Optional<Block>> read(BlockAddress a, ReadConsistency c, Version atLeast) {
            return delegate.read(a, c, atLeast);
        }

        @Override
        public CompletableFuture<Void> write(Block block) {
            if (block.address().space() == Space.META) {
                return CompletableFuture.failedFuture(new QuorumNotReachedException("write", block.address()
                        .toString(), 4, 0, Map.of()));
            }
            return delegate.write(block);
        }

        @Override
        public CompletableFuture<Void> deleteBelow(Space space, long blockNo) {
            return delegate.deleteBelow(space, blockNo);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /**
     * The dying active's handle: while diverting, its LOG writes reach only "a minority of replicas" — a side map the
     * standby's reads see and the takeover's do not — and are never acknowledged (a commit among them never returns).
     */
    static final class DivertingVolume implements VolumeWriter {
        final MemoryVolume storage;
        final Map<BlockAddress, Block> side = new ConcurrentHashMap<>();
        final List<CompletableFuture<Void>> pending = new ArrayList<>();
        volatile boolean diverting;

        DivertingVolume(MemoryVolume storage) {
            this.storage = storage;
        }

        @Override
        public long volume() {
            return storage.volume();
        }

        @Override
        public long epoch() {
            return storage.epoch();
        }

        @Override
        public CompletableFuture<Optional<Block>> read(BlockAddress a, ReadConsistency c, Version atLeast) {
            return storage.read(a, c, atLeast);
        }

        @Override
        public synchronized CompletableFuture<Void> write(Block block) {
            if (diverting && block.address().space() == Space.LOG) {
                side.merge(block.address(), block, (o, n) -> n.version().isNewerThan(o.version()) ? n : o);
                CompletableFuture<Void> never = new CompletableFuture<>();
                pending.add(never);
                return never;
            }
            return storage.write(block);
        }

        /** The crash: the unacknowledged writes fail. */
        synchronized void failPending() {
            for (CompletableFuture<Void> f : pending) {
                f.completeExceptionally(new QuorumNotReachedException("write", "log", 4, 2, Map.of()));
            }
        }

        @Override
        public CompletableFuture<Void> deleteBelow(Space space, long blockNo) {
            return storage.deleteBelow(space, blockNo);
        }

        @Override
        public void close() {
        }

        /** What the standby reads: storage, and the minority copies where they are newer; LOG from a block on stalled. */
        VolumeReader standbyView(long stallLogFromBlock) {
            DivertingVolume self = this;
            return new VolumeReader() {
                @Override
                public long volume() {
                    return self.volume();
                }

                @Override
                public CompletableFuture<Optional<Block>> read(BlockAddress a, ReadConsistency c, Version atLeast) {
                    if (a.space() == Space.LOG && a.blockNo() >= stallLogFromBlock) {
                        return CompletableFuture.completedFuture(Optional.empty());
                    }
                    Block minority = side.get(a);
                    return storage.read(a, c, atLeast).thenApply(stored -> {
                        if (minority != null && (stored.isEmpty()
                                || minority.version().isNewerThan(stored.get().version()))) {
                            return Optional.of(minority);
                        }
                        return stored;
                    });
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /** An active with a committed table, a standby replaying it, and what a test needs to take over. */
    static final class Scenario implements AutoCloseable {
        final MemoryVolume storage = new MemoryVolume(41);
        final DivertingVolume active = new DivertingVolume(storage);
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final IoScheduler scheduler = new IoScheduler(IoSchedulerConfig.defaults(), registry);
        final Database db;
        StandbyReplayer replayer;

        Scenario(int committed, long stallLogFromBlock) {
            db = Database.open(active, ENGINE, new SimpleMeterRegistry());
            try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
                t.createTable(TableSpec.of("t", List.of(ColumnDef.notNull("id", ColumnType.integer()),
                        ColumnDef.of("v", ColumnType.text())), "id"));
                t.commit();
            }
            for (int i = 0; i < committed; i++) {
                try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
                    t.insert("t", Row.of(i, "row " + i));
                    t.commit();
                }
            }
            replayer = StandbyReplayer.create(active.standbyView(stallLogFromBlock), scheduler,
                    StandbyConfig.defaults().withFrames(256), registry);
            replayer.start();
        }

        long durableLsn() {
            return db.engine().logWriter().durableLsn();
        }

        /** A transaction left open on the active (a loser). */
        DatabaseTransaction openTransaction(int id) {
            DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false);
            t.insert("t", Row.of(id, "loser"));
            return t;
        }

        void crash() {
            active.failPending();
            db.engine().closeAbruptly();
        }

        Takeover.Result takeOver(MemoryStorage storage, boolean withReplayer, HaConfig ha) {
            return takeOver(storage, withReplayer, ha, -1);
        }

        Takeover.Result takeOver(MemoryStorage storage, boolean withReplayer, HaConfig ha, long durableBoundary) {
            return Takeover.run(new Takeover.Inputs("n2", storage, withReplayer ? replayer : null,
                    withReplayer ? scheduler : null, ENGINE, ha, registry, () -> Long.MAX_VALUE,
                    Takeover.AfterFence.NONE, durableBoundary));
        }

        @Override
        public void close() {
            replayer.close();
            scheduler.close();
        }
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + BOUND + ": " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
    }

    static void assertRows(Database db, int expected) {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, true)) {
            List<Row> rows = new ArrayList<>();
            try (RowCursor c = t.scan("t", ScanSpec.primary())) {
                while (c.next()) {
                    rows.add(c.row());
                }
            }
            assertEquals(expected, rows.size(), "rows after the takeover");
            for (int i = 0; i < rows.size(); i++) {
                assertEquals(i, ((Number) rows.get(i).get(0)).intValue(), "ids 0.." + (expected - 1) + " in order");
                assertTrue(String.valueOf(rows.get(i).get(1)).startsWith("row "), "only committed rows: " + rows.get(i));
            }
        }
    }

    @Test
    void warmWithTheStandbysPoolAndItsLosers() {
        try (Scenario s = new Scenario(40, Long.MAX_VALUE)) {
            s.openTransaction(1000);
            long durable = s.durableLsn();
            await("standby caught up", () -> s.replayer.replayedLsn() >= s.durableLsn());
            assertTrue(durable > 0);
            // the end of the log is searched from an MTR boundary the standby applied below the durable LSN
            long boundary = s.replayer.replayedLsn();
            assertTrue(boundary <= s.durableLsn());
            s.crash();
            Takeover.Result r = s.takeOver(new MemoryStorage(s.storage), true, HaConfig.defaults(), boundary);
            try (Database db = r.database()) {
                assertEquals(Takeover.Mode.WARM, r.mode(), r.coldReason().orElse(""));
                assertEquals(2, r.epoch());
                assertEquals(1, r.losers());
                assertEquals(List.of("fence", "lease_check", "log_end", "catch_up", "new_epoch", "write_path",
                        "undo", "serve"), List.copyOf(r.steps().keySet()));
                assertRows(db, 40);
            }
        }
    }

    @Test
    void coldWithoutAReplayer() {
        try (Scenario s = new Scenario(20, Long.MAX_VALUE)) {
            s.openTransaction(1000);
            s.crash();
            Takeover.Result r = s.takeOver(new MemoryStorage(s.storage), false, HaConfig.defaults());
            try (Database db = r.database()) {
                assertEquals(Takeover.Mode.COLD, r.mode());
                assertTrue(r.coldReason().orElseThrow().contains("no standby replayer"));
                assertTrue(r.steps().containsKey("cold_redo"), r.steps().toString());
                assertRows(db, 20);
            }
        }
    }

    @Test
    void coldWhenTheStandbyReplayedBeyondTheDurableEnd() throws Exception {
        try (Scenario s = new Scenario(30, Long.MAX_VALUE)) {
            await("standby caught up", () -> s.replayer.replayedLsn() >= s.durableLsn());
            long durable = s.durableLsn();
            s.active.diverting = true;
            // a commit whose log write reaches a minority only: never acknowledged
            CompletableFuture<Void> unacknowledged = CompletableFuture.runAsync(() -> {
                try (DatabaseTransaction t = s.db.begin(IsolationLevel.SERIALIZABLE, false)) {
                    for (int i = 0; i < 5; i++) {
                        t.insert("t", Row.of(500 + i, "unacknowledged"));
                    }
                    t.commit();
                }
            });
            await("the standby applies bytes beyond the durable end", () -> s.replayer.replayedLsn() > durable);
            LogRecordCodec codec = new LogRecordCodec(PageOps::decode);
            EpochHistory history = MetaRecords.epochHistory(s.storage).get(10, TimeUnit.SECONDS);
            long end = LogEnd.find(s.storage, codec, history, 0).endLsn();
            assertTrue(end <= durable, "what a quorum read finds: only acknowledged bytes (" + end + " <= " + durable
                    + ")");
            assertTrue(s.replayer.replayedLsn() > end);
            s.crash();
            assertTrue(unacknowledged.handle((v, e) -> e != null).get(30, TimeUnit.SECONDS),
                    "the diverted commit was never acknowledged");
            Takeover.Result r = s.takeOver(new MemoryStorage(s.storage), true, HaConfig.defaults());
            try (Database db = r.database()) {
                assertEquals(Takeover.Mode.COLD, r.mode());
                assertTrue(r.coldReason().orElseThrow().contains("beyond the durable end"), r.coldReason().get());
                assertEquals(end, r.endLsn(), "the new epoch starts at the durable end: the minority bytes are void");
                assertRows(db, 30);
            }
        }
    }

    @Test
    void coldWhenTheStandbyCannotCatchUpInTime() {
        try (Scenario s = new Scenario(10, 1)) { // the standby never reads past LOG block 0
            for (int i = 10; i < 60; i++) {
                try (DatabaseTransaction t = s.db.begin(IsolationLevel.SERIALIZABLE, false)) {
                    t.insert("t", Row.of(i, "row " + i + " ".repeat(100)));
                    t.commit();
                }
            }
            s.crash();
            Takeover.Result r = s.takeOver(new MemoryStorage(s.storage), true,
                    HaConfig.defaults().withCatchUpTimeout(Duration.ofMillis(300)));
            try (Database db = r.database()) {
                assertEquals(Takeover.Mode.COLD, r.mode());
                assertTrue(r.coldReason().orElseThrow().contains("did not catch up"), r.coldReason().get());
                assertRows(db, 60);
            }
        }
    }

    @Test
    void coldAtANewerEpochWhenTheWarmTakeoverFails() {
        try (Scenario s = new Scenario(25, Long.MAX_VALUE)) {
            await("standby caught up", () -> s.replayer.replayedLsn() >= s.durableLsn());
            s.crash();
            MemoryStorage storage = new MemoryStorage(s.storage);
            storage.failMetaWritesAt = 2;
            Takeover.Result r = s.takeOver(storage, true, HaConfig.defaults());
            try (Database db = r.database()) {
                assertEquals(Takeover.Mode.COLD, r.mode());
                assertEquals(3, r.epoch(), "fenced once more");
                assertTrue(r.coldReason().orElseThrow().contains("warm takeover failed"), r.coldReason().get());
                assertRows(db, 25);
            }
        }
    }
}
