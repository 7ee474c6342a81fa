package io.cacdb.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.wal.LogRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class EngineTest {

    private static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static <T> T insert(Transaction txn, BTree tree, byte[] key, byte[] value) {
        return txn.change(tree.indexId(), mtr -> {
            tree.insert(mtr, key, value);
            return Transaction.Change.of(null, LogRecord.UndoKind.UNDO_INSERT, key, null);
        });
    }

    @Test
    void freshVolumeIsFormattedAndCommittedDataSurvivesCleanAndAbruptReopen() {
        MemoryVolume storage = new MemoryVolume(7);
        long indexId;
        try (Engine e = Engine.open(storage, EngineConfig.defaults(), new SimpleMeterRegistry())) {
            assertEquals(0, e.recoveryReport().undo().losersRolledBack());
            Transaction t = e.transactions().begin(IsolationLevel.SERIALIZABLE, false);
            indexId = e.indexes().create(t);
            BTree tree = e.indexes().tree(indexId);
            insert(t, tree, b("a"), b("1"));
            insert(t, tree, b("b"), b("2"));
            e.transactions().commit(t);
            Transaction loser = e.transactions().begin(IsolationLevel.SERIALIZABLE, false);
            insert(loser, tree, b("c"), b("3"));
            assertTrue(indexId >= io.cacdb.engine.index.IndexDirectory.FIRST_ALLOCATED_INDEX_ID);
        }
        try (Engine e = Engine.open(storage.withEpoch(2), EngineConfig.defaults(), new SimpleMeterRegistry())) {
            BTree tree = e.indexes().tree(indexId);
            assertArrayEquals(b("1"), tree.get(b("a")));
            assertArrayEquals(b("2"), tree.get(b("b")));
            assertNull(tree.get(b("c")), "an uncommitted insert is rolled back at open");
            assertEquals(1, e.recoveryReport().undo().losersRolledBack());
            Transaction t = e.transactions().begin(IsolationLevel.SERIALIZABLE, false);
            insert(t, tree, b("d"), b("4"));
            e.transactions().commit(t);
            e.closeAbruptly();
        }
        try (Engine e = Engine.open(storage.withEpoch(3), EngineConfig.defaults(), new SimpleMeterRegistry())) {
            BTree tree = e.indexes().tree(indexId);
            assertArrayEquals(b("4"), tree.get(b("d")));
            assertTrue(e.recoveryReport().redo().recordsScanned() > 0);
            assertEquals(java.util.List.of(new io.cacdb.engine.index.IndexDirectory.Entry(indexId,
                    tree.rootPageNo())), e.indexes().list());
        }
        assertThrows(IllegalStateException.class,
                () -> Engine.open(storage.withEpoch(3), EngineConfig.defaults(), new SimpleMeterRegistry()));
    }
}
