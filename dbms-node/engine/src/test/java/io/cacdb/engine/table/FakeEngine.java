package io.cacdb.engine.table;

import io.cacdb.engine.Database;
import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.catalog.IndexSpace;
import io.cacdb.engine.error.ReadOnlyTransactionException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.lock.LockConfig;
import io.cacdb.engine.lock.LockManager;
import io.cacdb.engine.lock.LockWaitListener;
import io.cacdb.engine.lock.NextKeyLocks;
import io.cacdb.engine.mtr.ListLogSink;
import io.cacdb.engine.mtr.MapPageSource;
import io.cacdb.engine.mtr.MiniTransaction;
import io.cacdb.engine.space.PageAllocator;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.wal.LogRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A transaction layer for table tests that runs the real B+trees, MTRs and lock manager in memory, without WAL,
 * recovery or durability: undo is an in-memory list applied on rollback. Trees are created at once (not undone)
 * and dropped never; enough for the table layer's logic, not for crash tests (those use the real engine).
 */
public final class FakeEngine implements IndexSpace {

    final MapPageSource pages = new MapPageSource();
    final ListLogSink log = new ListLogSink();
    final LockManager lockManager;
    final NextKeyLocks locks;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong txnIds = new AtomicLong();
    private final Map<Long, BTree> trees = new ConcurrentHashMap<>();
    final long catalogIndexId;

    public FakeEngine(Duration lockWaitTimeout, LockWaitListener listener) {
        this.lockManager = new LockManager(LockConfig.defaults().withLockWaitTimeout(lockWaitTimeout),
                new SimpleMeterRegistry(), listener);
        this.locks = new NextKeyLocks(lockManager);
        MiniTransaction m = new MiniTransaction(pages, log);
        PageAllocator.format(m);
        m.commit();
        this.catalogIndexId = newTree();
    }

    public FakeEngine() {
        this(Duration.ofSeconds(10), LockWaitListener.NONE);
    }

    /** A database over this engine (a new one each call: loading the catalog again is what a reopen does). */
    public Database database() {
        return Database.on(new Database.Transactions() {
            @Override
            public Transaction begin(IsolationLevel isolation, boolean readOnly) {
                return FakeEngine.this.begin(isolation, readOnly);
            }

            @Override
            public void commit(Transaction txn) {
                ((Txn) txn).commit();
            }

            @Override
            public void rollback(Transaction txn) {
                ((Txn) txn).rollback();
            }
        }, this, catalogIndexId);
    }

    private long newTree() {
        long id = ids.incrementAndGet();
        MiniTransaction m = new MiniTransaction(pages, log);
        BTree t = BTree.create(m, id);
        m.commit();
        trees.put(id, t);
        return id;
    }

    @Override
    public long create(Transaction txn) {
        return newTree();
    }

    @Override
    public void drop(Transaction txn, long indexId) {
        if (!trees.containsKey(indexId)) {
            throw new IllegalStateException("drop of unknown tree " + indexId);
        }
    }

    @Override
    public BTree tree(long indexId) {
        BTree t = trees.get(indexId);
        if (t == null) {
            throw new IllegalStateException("no tree " + indexId);
        }
        return t;
    }

    public Txn begin(IsolationLevel isolation, boolean readOnly) {
        return new Txn(txnIds.incrementAndGet(), isolation, readOnly);
    }

    /** A transaction with in-memory undo. */
    public final class Txn implements Transaction {
        private final long id;
        private final IsolationLevel isolation;
        private final boolean readOnly;
        private final List<Undone> undo = new ArrayList<>();
        private boolean ended;

        private record Undone(long indexId, Undo undo) {
        }

        Txn(long id, IsolationLevel isolation, boolean readOnly) {
            this.id = id;
            this.isolation = isolation;
            this.readOnly = readOnly;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public IsolationLevel isolation() {
            return isolation;
        }

        @Override
        public boolean isReadOnly() {
            return readOnly;
        }

        @Override
        public NextKeyLocks locks() {
            return locks;
        }

        @Override
        public <T> T change(long indexId, Function<MiniTransaction, Change<T>> change) {
            checkActive();
            if (readOnly) {
                throw new ReadOnlyTransactionException("read-only transaction " + id);
            }
            MiniTransaction m = new MiniTransaction(pages, log, id);
            Change<T> c;
            try {
                c = change.apply(m);
            } catch (RuntimeException e) {
                m.abandon();
                throw e;
            }
            if (c.undo() == null) {
                m.abandon();
                return c.result();
            }
            m.addRecord(new LogRecord.Undo(id, 0, indexId, c.undo().kind(), c.undo().key(), c.undo().oldValue()));
            m.commit();
            undo.add(new Undone(indexId, c.undo()));
            return c.result();
        }

        @Override
        public Savepoint savepoint() {
            checkActive();
            return new Savepoint(id, undo.size());
        }

        @Override
        public void rollbackTo(Savepoint savepoint) {
            checkActive();
            while (undo.size() > savepoint.lastLsn()) {
                Undone u = undo.remove(undo.size() - 1);
                BTree tree = tree(u.indexId());
                MiniTransaction m = new MiniTransaction(pages, log, id);
                switch (u.undo().kind()) {
                    case UNDO_INSERT -> tree.delete(m, u.undo().key());
                    case UNDO_UPDATE -> tree.update(m, u.undo().key(), u.undo().oldValue());
                    case UNDO_DELETE -> tree.insert(m, u.undo().key(), u.undo().oldValue());
                }
                m.commit();
            }
        }

        public void commit() {
            checkActive();
            ended = true;
            lockManager.releaseAll(id);
        }

        public void rollback() {
            checkActive();
            rollbackTo(new Savepoint(id, 0));
            ended = true;
            lockManager.releaseAll(id);
        }

        private void checkActive() {
            if (ended) {
                throw new IllegalStateException("transaction " + id + " has ended");
            }
        }
    }
}
