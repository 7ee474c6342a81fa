package io.cacdb.engine.txn;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.error.ReadOnlyTransactionException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.lock.NextKeyLocks;
import io.cacdb.engine.mtr.LogSink;
import io.cacdb.engine.mtr.MiniTransaction;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LogWriterStoppedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A transaction of this node ({@link TransactionManager#begin}). Its changes are remembered in memory, newest last,
 * so a live rollback needs no log reads; recovery walks the log chain instead.
 *
 * <p>One thread at a time uses it (a session); the checkpointer reads {@link #tableEntry()} from another thread,
 * hence the monitor around the two LSNs.
 */
final class LocalTransaction implements Transaction {

    private enum Status { ACTIVE, COMMITTED, ABORTED, FAILED }

    /** A change still to undo: its Undo record's LSN, its predecessor in the chain, and the undo itself. */
    private record Logged(long lsn, long indexId, Undo undo) {
    }

    private final TransactionManager manager;
    private final long id;
    private final IsolationLevel isolation;
    private final boolean readOnly;
    private final List<Logged> undoList = new ArrayList<>();
    private Status status = Status.ACTIVE;
    // Guarded by this: read by checkpoints.
    private long lastLsn;
    private long undoNextLsn;
    private long firstLsn;

    LocalTransaction(TransactionManager manager, long id, IsolationLevel isolation, boolean readOnly) {
        this.manager = manager;
        this.id = id;
        this.isolation = isolation;
        this.readOnly = readOnly;
    }

    TransactionManager manager() {
        return manager;
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
        requireActive();
        manager.requireNotHalted();
        return manager.nextKeyLocks();
    }

    @Override
    public <T> T change(long indexId, Function<MiniTransaction, Change<T>> change) {
        requireActive();
        if (readOnly) {
            throw new ReadOnlyTransactionException("transaction " + id + " is read-only; it cannot change index "
                    + indexId);
        }
        manager.requireState(TransactionManager.State.SERVING);
        long prev = lastLsn();
        TransactionManager.MtrResult<Change<T>> r = manager.runMtr(id, mtr -> {
            Change<T> c = change.apply(mtr);
            if (c == null) {
                throw new IllegalStateException("a change function returned null; use Change.none(result)");
            }
            if (c.undo() == null) {
                if (mtr.hasChanges()) {
                    throw new IllegalStateException("change to index " + indexId + " of transaction " + id
                            + " changed pages but returned Change.none: it could never be undone");
                }
                return c;
            }
            if (!mtr.hasChanges()) {
                throw new IllegalStateException("change to index " + indexId + " of transaction " + id
                        + " returned an undo but changed no page");
            }
            Undo u = c.undo();
            mtr.addRecord(new LogRecord.Undo(id, prev, indexId, u.kind(), u.key(), u.oldValue()));
            return c;
        }, (c, range) -> range.ifPresent(rg -> logged(rg.startLsn(), indexId, c.undo())));
        return r.value().result();
    }

    private void logged(long lsn, long indexId, Undo undo) {
        if (undo == null) {
            throw new IllegalStateException("MTR of transaction " + id + " was logged without an undo record");
        }
        undoList.add(new Logged(lsn, indexId, undo));
        synchronized (this) {
            if (lsn <= lastLsn) {
                throw new IllegalStateException("transaction " + id + " record LSN " + lsn
                        + " is not above its last record " + lastLsn);
            }
            lastLsn = lsn;
            undoNextLsn = lsn;
            if (firstLsn == 0) {
                firstLsn = lsn;
            }
        }
    }

    @Override
    public Savepoint savepoint() {
        requireActive();
        return new Savepoint(id, lastLsn());
    }

    @Override
    public void rollbackTo(Savepoint savepoint) {
        requireActive();
        if (savepoint.txnId() != id) {
            throw new IllegalArgumentException("savepoint of transaction " + savepoint.txnId()
                    + " used in transaction " + id);
        }
        undoDownTo(savepoint.lastLsn());
    }

    /** Undoes every change whose Undo record is above {@code lsn}, newest first, one CLR MTR each. */
    private void undoDownTo(long lsn) {
        while (!undoList.isEmpty() && undoList.getLast().lsn() > lsn) {
            Logged l = undoList.getLast();
            long nextToUndo = undoList.size() >= 2 ? undoList.get(undoList.size() - 2).lsn() : 0;
            long prev = lastLsn();
            BTree tree = manager.indexResolver().tree(l.indexId());
            manager.runMtr(id, mtr -> {
                InverseChange.apply(mtr, tree, l.undo().kind(), l.undo().key(), l.undo().oldValue());
                mtr.addRecord(new LogRecord.Compensation(id, prev, nextToUndo));
                return null;
            }, (v, range) -> {
                LogSink.LsnRange rg = range.orElseThrow(() -> new IllegalStateException(
                        "a compensation MTR of transaction " + id + " logged nothing"));
                undoList.removeLast();
                synchronized (this) {
                    lastLsn = rg.startLsn();
                    undoNextLsn = nextToUndo;
                }
            });
            manager.countCompensation();
        }
    }

    void commit() {
        requireActive();
        long last = lastLsn();
        if (last == 0) {
            // Nothing logged: nothing to make durable, nothing anyone could see.
            finish(Status.COMMITTED);
            return;
        }
        // If the append fails nothing was appended (the writer refuses whole MTRs): still active, may roll back.
        LogSink.LsnRange range = manager.appendRecord(new LogRecord.Commit(id, last, manager.nowMicros()), rg -> {
            synchronized (this) {
                lastLsn = rg.startLsn();
                undoNextLsn = 0;
            }
            manager.ended(this);
        });
        awaitDurable(range.endLsn());
        long durable = manager.logWriter().durableLsn();
        if (durable < range.endLsn()) {
            throw new AssertionError("commit of transaction " + id + " would be acknowledged at durable LSN " + durable
                    + " below its Commit record's end " + range.endLsn());
        }
        finish(Status.COMMITTED);
    }

    private void awaitDurable(long lsn) {
        long waitNanos = manager.config().commitDurableWaitMax().toNanos();
        try {
            manager.logWriter().awaitDurable(lsn).get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            status = Status.FAILED;
            Throwable cause = e.getCause() instanceof LogWriterStoppedException ? e.getCause() : e;
            throw manager.halt("the Commit record of transaction " + id + " at LSN " + lsn
                    + " did not become durable: the log writer stopped", cause);
        } catch (TimeoutException e) {
            status = Status.FAILED;
            throw manager.halt("the Commit record of transaction " + id + " did not become durable within "
                    + manager.config().commitDurableWaitMax(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = Status.FAILED;
            throw manager.halt("interrupted while the Commit record of transaction " + id
                    + " was becoming durable; its outcome is unknown", e);
        }
    }

    void rollback() {
        requireActive();
        undoDownTo(0);
        long last = lastLsn();
        if (last != 0) {
            manager.appendRecord(new LogRecord.Abort(id, last), rg -> {
                synchronized (this) {
                    lastLsn = rg.startLsn();
                    undoNextLsn = 0;
                }
                manager.ended(this);
            });
        }
        finish(Status.ABORTED);
    }

    private void finish(Status end) {
        status = end;
        manager.ended(this);
        manager.lockManager().releaseAll(id);
    }

    /** This transaction's entry for the transaction table, if it has logged anything. */
    synchronized Optional<LogRecord.ActiveTxn> tableEntry() {
        return lastLsn == 0 ? Optional.empty() : Optional.of(new LogRecord.ActiveTxn(id, lastLsn, undoNextLsn));
    }

    /** The LSN of this transaction's first record (0 if none): log below it is not needed to undo it. */
    synchronized long firstLsn() {
        return firstLsn;
    }

    private synchronized long lastLsn() {
        return lastLsn;
    }

    private void requireActive() {
        if (status != Status.ACTIVE) {
            throw new IllegalStateException("transaction " + id + " is " + status);
        }
    }

    @Override
    public String toString() {
        return "Transaction[" + id + ", " + isolation + (readOnly ? ", read-only" : "") + ", " + status + "]";
    }
}
