package io.cacdb.engine.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.Engine;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.error.DuplicateKeyException;
import io.cacdb.engine.error.NotFoundException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.txn.TransactionManager;
import io.cacdb.engine.volume.MemoryVolume;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IndexDirectoryTest {

    @Test
    void createAndDropCommitAndRollBackWithTheirTransaction() {
        MemoryVolume storage = new MemoryVolume(71);
        long kept;
        try (Engine e = Engine.open(storage, EngineConfig.defaults(), new SimpleMeterRegistry())) {
            TransactionManager m = e.transactions();
            IndexDirectory dir = e.indexes();
            assertEquals(List.of(), dir.list());

            Transaction t = m.begin(IsolationLevel.SERIALIZABLE, false);
            long rolledBack = dir.create(t);
            assertTrue(dir.find(rolledBack).isPresent(), "visible to its own transaction");
            m.rollback(t);
            assertEquals(Optional.empty(), dir.find(rolledBack), "a rolled-back create leaves no mapping");

            t = m.begin(IsolationLevel.SERIALIZABLE, false);
            kept = dir.create(t);
            long dropped = dir.create(t);
            dir.createReserved(t, 7);
            m.commit(t);
            assertTrue(kept > rolledBack, "ids are never reused, even after a rollback");
            assertEquals(List.of(7L, kept, dropped), dir.list().stream().map(IndexDirectory.Entry::indexId).toList());

            t = m.begin(IsolationLevel.SERIALIZABLE, false);
            dir.drop(t, dropped);
            assertEquals(Optional.empty(), dir.find(dropped));
            m.rollback(t);
            assertTrue(dir.find(dropped).isPresent(), "a rolled-back drop restores the mapping");

            t = m.begin(IsolationLevel.SERIALIZABLE, false);
            dir.drop(t, dropped);
            Transaction tt = t;
            assertThrows(NotFoundException.class, () -> dir.drop(tt, dropped));
            assertThrows(DuplicateKeyException.class, () -> dir.createReserved(tt, 7));
            assertThrows(IllegalArgumentException.class, () -> dir.createReserved(tt, IndexDirectory.FIRST_ALLOCATED_INDEX_ID));
            m.commit(t);
            assertThrows(NotFoundException.class, () -> dir.tree(dropped));
            assertEquals(IndexDirectory.DIRECTORY_INDEX_ID, dir.tree(IndexDirectory.DIRECTORY_INDEX_ID).indexId());
        }
        try (Engine e = Engine.open(storage.withEpoch(2), EngineConfig.defaults(), new SimpleMeterRegistry())) {
            assertEquals(List.of(7L, kept), e.indexes().list().stream().map(IndexDirectory.Entry::indexId).toList());
            Transaction t = e.transactions().begin(IsolationLevel.SERIALIZABLE, false);
            assertTrue(e.indexes().create(t) > kept + 1, "the counter survives a restart");
            e.transactions().commit(t);
        }
    }
}
