package io.cacdb.engine.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.Engine;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.volume.HoldingVolume;
import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.error.ReadOnlyTransactionException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.lock.LockMode;
import io.cacdb.engine.lock.LockResource;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.wal.LogReader;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LogRecordCodec;
import io.cacdb.engine.wal.LoggedRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class TransactionManagerTest {

    static final long WAIT_SECONDS = 30;

    private static byte[] key(int k) {
        return ByteBuffer.allocate(4).putInt(k).array();
    }

    private static byte[] value(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static void put(Transaction t, BTree tree, int k, long v) {
        byte[] key = key(k);
        t.locks().lockForUpdate(t.id(), tree.indexId(), key);
        t.change(tree.indexId(), mtr -> {
            byte[] old = tree.update(mtr, key, value(v));
            if (old != null) {
                return Transaction.Change.of(null, LogRecord.UndoKind.UNDO_UPDATE, key, old);
            }
            tree.insert(mtr, key, value(v));
            return Transaction.Change.of(null, LogRecord.UndoKind.UNDO_INSERT, key, null);
        });
    }

    private static BTree newIndex(Engine e) {
        Transaction t = e.transactions().begin(IsolationLevel.SERIALIZABLE, false);
        long id = e.indexes().create(t);
        e.transactions().commit(t);
        return e.indexes().tree(id);
    }

    private static LoggedRecord readAt(Engine e, MemoryVolume storage, long lsn) throws Exception {
        e.logWriter().awaitDurable(e.logWriter().appendedLsn()).get(WAIT_SECONDS, TimeUnit.SECONDS);
        LogReader reader = new LogReader(storage, e.logCodec(), ReadConsistency.QUORUM, e::epochHistory, 0);
        return reader.readAt(lsn).orElseThrow();
    }

    @Test
    void theTransactionTableFollowsChangesCompensationsAndEnds() throws Exception {
        MemoryVolume storage = new MemoryVolume(61);
        try (Engine e = Engine.open(storage, EngineConfig.defaults(), new SimpleMeterRegistry())) {
            BTree tree = newIndex(e);
            TransactionManager m = e.transactions();
            Transaction t = m.begin(IsolationLevel.SERIALIZABLE, false);
            Transaction idle = m.begin(IsolationLevel.READ_COMMITTED, false);
            assertTrue(m.transactionTable().isEmpty(), "transactions that logged nothing are not in the table");
            assertEquals(2, m.activeCount());

            put(t, tree, 1, 10);
            LogRecord.ActiveTxn first = m.transactionTable().getFirst();
            assertEquals(t.id(), first.txnId());
            assertEquals(first.lastLsn(), first.undoNextLsn(), "the last record is the next to undo");
            Transaction.Savepoint sp = t.savepoint();
            put(t, tree, 2, 20);
            LogRecord.ActiveTxn second = m.transactionTable().getFirst();
            assertTrue(second.lastLsn() > first.lastLsn());

            t.rollbackTo(sp);
            LogRecord.ActiveTxn third = m.transactionTable().getFirst();
            assertTrue(third.lastLsn() > second.lastLsn(), "the CLR is the last record");
            assertEquals(first.lastLsn(), third.undoNextLsn(), "undo continues below the compensated change");
            LoggedRecord clr = readAt(e, storage, third.lastLsn());
            LogRecord.Compensation c = assertInstanceOf(LogRecord.Compensation.class, clr.record());
            assertEquals(new LogRecord.Compensation(t.id(), second.lastLsn(), first.lastLsn()), c);
            LogRecord.Undo u = assertInstanceOf(LogRecord.Undo.class, readAt(e, storage, first.lastLsn()).record());
            assertEquals(t.id(), u.txnId());
            assertEquals(0, u.prevLsn());

            FuzzySnapshot snap = m.fuzzySnapshot(e.bufferPool()::dirtyPageTable);
            assertEquals(List.of(third), snap.activeTxns());
            assertTrue(snap.retainLsn() <= first.lastLsn(), "log holding the first change is kept: " + snap);

            m.commit(t);
            m.rollback(idle);
            assertTrue(m.transactionTable().isEmpty());
            assertEquals(0, m.activeCount());
            assertThrows(IllegalStateException.class, () -> put(t, tree, 3, 30), "a committed transaction is done");
            assertArrayEquals(value(10), tree.get(key(1)));
            assertNull(tree.get(key(2)));
        }
    }

    @Test
    void rollbackToASavepointUndoesOnlyLaterChangesAndKeepsTheLocks() {
        try (Engine e = Engine.open(new MemoryVolume(62), EngineConfig.defaults(), new SimpleMeterRegistry())) {
            BTree tree = newIndex(e);
            TransactionManager m = e.transactions();
            Transaction setup = m.begin(IsolationLevel.SERIALIZABLE, false);
            put(setup, tree, 1, 100);
            m.commit(setup);

            Transaction t = m.begin(IsolationLevel.SERIALIZABLE, false);
            put(t, tree, 1, 101);
            Transaction.Savepoint sp = t.savepoint();
            put(t, tree, 1, 102);
            put(t, tree, 2, 200);
            t.rollbackTo(sp);
            assertArrayEquals(value(101), tree.get(key(1)), "the change before the savepoint stays");
            assertNull(tree.get(key(2)), "the insert after it is gone");
            LockResource k2 = LockResource.key(tree.indexId(), key(2));
            assertEquals(java.util.Optional.of(LockMode.X), e.lockManager().heldMode(t.id(), k2),
                    "locks taken after the savepoint stay until the end");
            Transaction.Savepoint again = t.savepoint();
            t.rollbackTo(again);
            put(t, tree, 3, 300);
            m.commit(t);
            assertArrayEquals(value(101), tree.get(key(1)));
            assertArrayEquals(value(300), tree.get(key(3)));
            assertTrue(e.lockManager().isEmpty());

            Transaction other = m.begin(IsolationLevel.SERIALIZABLE, false);
            assertThrows(IllegalArgumentException.class, () -> other.rollbackTo(sp), "another transaction's savepoint");
            m.rollback(other);
        }
    }

    @Test
    void aReadOnlyTransactionRefusesChangesAndLogsNothing() {
        try (Engine e = Engine.open(new MemoryVolume(63), EngineConfig.defaults(), new SimpleMeterRegistry())) {
            BTree tree = newIndex(e);
            Transaction t = e.transactions().begin(IsolationLevel.SERIALIZABLE, true);
            assertTrue(t.isReadOnly());
            long before = e.logWriter().appendedLsn();
            ReadOnlyTransactionException refused = assertThrows(ReadOnlyTransactionException.class,
                    () -> t.change(tree.indexId(), mtr -> Transaction.Change.none(null)));
            assertEquals("25006", refused.sqlState());
            e.transactions().commit(t);
            assertEquals(before, e.logWriter().appendedLsn(), "nothing logged, not even a commit");
        }
    }

    @Test
    void commitReturnsOnlyOnceItsRecordIsDurable() throws Exception {
        MemoryVolume storage = new MemoryVolume(64);
        HoldingVolume volume = new HoldingVolume(storage, 64, HoldingVolume.Mode.AUTO);
        java.time.Duration never = java.time.Duration.ofHours(1);
        try (Engine e = Engine.open(volume, EngineConfig.defaults().withCheckpoints(
                new io.cacdb.engine.checkpoint.CheckpointConfig(never, never, java.time.Duration.ofSeconds(30))),
                new SimpleMeterRegistry())) {
            BTree tree = newIndex(e);
            TransactionManager m = e.transactions();
            Transaction t = m.begin(IsolationLevel.SERIALIZABLE, false);
            put(t, tree, 1, 1);
            volume.setMode(HoldingVolume.Mode.MANUAL);
            CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> m.commit(t));
            // The transaction leaves the table once its Commit record is appended (bounded wait for that moment).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (m.activeCount() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(0, m.activeCount(), "the commit record was appended");
            long durable = e.logWriter().durableLsn();
            assertTrue(durable < e.logWriter().appendedLsn(), "the commit record is not durable: storage holds it");
            assertThrows(TimeoutException.class, () -> commit.get(200, TimeUnit.MILLISECONDS),
                    "commit returned before its record was durable");
            assertFalse(commit.isDone());
            volume.releaseAll();
            volume.setMode(HoldingVolume.Mode.AUTO);
            commit.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(e.logWriter().durableLsn() > durable);
            assertTrue(e.lockManager().isEmpty(), "locks released once durable");
        } finally {
            volume.close();
        }
    }

    @Test
    void idsGrowWithBeginOrderAndEpochsAndNeverRepeat() {
        MemoryVolume storage = new MemoryVolume(65);
        long last;
        try (Engine e = Engine.open(storage, EngineConfig.defaults(), new SimpleMeterRegistry())) {
            Transaction a = e.transactions().begin(IsolationLevel.SERIALIZABLE, false);
            Transaction b = e.transactions().begin(IsolationLevel.SERIALIZABLE, false);
            assertTrue(b.id() > a.id());
            assertEquals(1, a.id() >>> TransactionConfig.TXN_ID_EPOCH_SHIFT, "the epoch is in the high bits");
            e.transactions().rollback(a);
            e.transactions().rollback(b);
            last = b.id();
        }
        try (Engine e = Engine.open(storage.withEpoch(2), EngineConfig.defaults(), new SimpleMeterRegistry())) {
            Transaction c = e.transactions().begin(IsolationLevel.SERIALIZABLE, false);
            assertTrue(c.id() > last, "ids of a later epoch are above every earlier one");
            e.transactions().rollback(c);
        }
    }
}
