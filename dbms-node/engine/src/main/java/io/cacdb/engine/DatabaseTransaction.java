package io.cacdb.engine;

import io.cacdb.engine.catalog.CatalogChanges;
import io.cacdb.engine.catalog.CatalogSnapshot;
import io.cacdb.engine.catalog.IndexDef;
import io.cacdb.engine.catalog.TableDef;
import io.cacdb.engine.error.CallerAction;
import io.cacdb.engine.error.EngineException;
import io.cacdb.engine.error.TransactionAbortedException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.table.IndexSpec;
import io.cacdb.engine.table.RowCursor;
import io.cacdb.engine.table.RowKey;
import io.cacdb.engine.table.ScanSpec;
import io.cacdb.engine.table.TableSpec;
import io.cacdb.engine.table.TableStore;
import io.cacdb.engine.table.TableTxn;
import io.cacdb.engine.txn.Transaction;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One transaction of a {@link Database}.
 *
 * <p>Statements. Every DDL and row call is a statement: it runs under a savepoint and, if it fails with an error
 * the caller can fix ({@link CallerAction#FIX_REQUEST}: duplicate key, NOT NULL, too long, unknown table), its
 * partial changes are rolled back and the transaction goes on, as a PostgreSQL client gets with a savepoint per
 * statement. Any other failure (deadlock, serialization failure, lock timeout, cancellation, a bug) leaves the
 * transaction <em>aborted</em>: every further call throws {@link TransactionAbortedException} (25P02) until
 * {@link #rollback()} or a {@link #rollbackTo} an earlier savepoint. Errors raised by a {@link RowCursor}'s
 * {@code next()} do not pass through here; after one the caller rolls back.
 *
 * <p>Commit publishes the transaction's catalog changes, then commits (durable on return); rollback drops them.
 *
 * <p>Not thread-safe: one thread at a time. {@link #close()} rolls back a transaction still open.
 */
public final class DatabaseTransaction implements AutoCloseable {

    /** A point to roll back to: the engine transaction's savepoint and the catalog changes made up to it. */
    public record StatementSavepoint(Transaction.Savepoint savepoint, int catalogMark) {
    }

    private final Database.Transactions transactions;
    private final TableStore tables;
    private final Transaction txn;
    private final CatalogChanges changes = new CatalogChanges();
    private final TableTxn context;
    private boolean ended;
    private boolean aborted;

    DatabaseTransaction(Database.Transactions transactions, TableStore tables, Transaction txn) {
        this.transactions = transactions;
        this.tables = tables;
        this.txn = txn;
        this.context = new TableTxn(txn, changes);
    }

    public long id() {
        return txn.id();
    }

    public IsolationLevel isolation() {
        return txn.isolation();
    }

    public boolean isReadOnly() {
        return txn.isReadOnly();
    }

    /** Whether an earlier failure requires a rollback (see the class note). */
    public boolean isAborted() {
        return aborted;
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /**
     * Commits: durable when this returns. An aborted transaction is rolled back instead and
     * {@link TransactionAbortedException} thrown, as PostgreSQL answers COMMIT in a failed transaction with a
     * rollback.
     */
    public void commit() {
        checkOpen();
        if (aborted) {
            rollback();
            throw new TransactionAbortedException(txn.id());
        }
        boolean published = false;
        if (!changes.isEmpty()) {
            tables.catalog().publish(changes);
            published = true;
        }
        try {
            transactions.commit(txn);
        } catch (RuntimeException | Error e) {
            if (published) {
                tables.catalog().revert(changes);
            }
            ended = true;
            throw e;
        }
        ended = true;
    }

    /** Undoes everything this transaction did and ends it. */
    public void rollback() {
        checkOpen();
        ended = true;
        changes.clear();
        transactions.rollback(txn);
    }

    /** Rolls back if still open. */
    @Override
    public void close() {
        if (!ended) {
            rollback();
        }
    }

    /** A savepoint (SQL SAVEPOINT): {@link #rollbackTo} undoes what follows it. */
    public StatementSavepoint savepoint() {
        checkUsable();
        return new StatementSavepoint(txn.savepoint(), changes.mark());
    }

    /** ROLLBACK TO SAVEPOINT: undoes the changes after {@code sp} (locks stay) and clears an aborted state. */
    public void rollbackTo(StatementSavepoint sp) {
        checkOpen();
        txn.rollbackTo(sp.savepoint());
        changes.cutBackTo(sp.catalogMark());
        aborted = false;
    }

    // ------------------------------------------------------------------------------------------------ DDL

    public TableDef createTable(TableSpec spec) {
        return statement(() -> tables.createTable(context, spec));
    }

    public void dropTable(String name) {
        statement(() -> {
            tables.dropTable(context, name);
            return null;
        });
    }

    public IndexDef createIndex(IndexSpec spec) {
        return statement(() -> tables.createIndex(context, spec));
    }

    public void dropIndex(String name) {
        statement(() -> {
            tables.dropIndex(context, name);
            return null;
        });
    }

    public void truncate(String table) {
        statement(() -> {
            tables.truncate(context, table);
            return null;
        });
    }

    /** The catalog as this transaction sees it: committed definitions plus its own DDL. */
    public CatalogSnapshot catalog() {
        checkOpen();
        return tables.catalog().view(changes);
    }

    // ------------------------------------------------------------------------------------------------ rows

    /** Inserts a full row (one value per column); returns it as stored. */
    public Row insert(String table, Row row) {
        return statement(() -> tables.insert(context, table, row));
    }

    /** Inserts by column name; missing columns get their defaults. Returns the row as stored. */
    public Row insert(String table, Map<String, Object> values) {
        return statement(() -> tables.insert(context, table, values));
    }

    /** The key of the row whose primary key values (or hidden row id) are {@code keyValues}. */
    public RowKey key(String table, Object... keyValues) {
        return statement(() -> tables.rowKey(context, table, keyValues));
    }

    public Optional<Row> get(String table, RowKey key) {
        return statement(() -> Optional.ofNullable(tables.get(context, table, key)));
    }

    /**
     * The row with this key, X-locked (SELECT ... FOR UPDATE): the lock is held until the transaction ends, whether
     * or not the row exists. Refused in a read-only transaction.
     */
    public Optional<Row> getForUpdate(String table, RowKey key) {
        return statement(() -> Optional.ofNullable(tables.getForUpdate(context, table, key)));
    }

    /**
     * Cancels the transaction's lock wait in progress, if any, from any thread (a cancel request, a dead session):
     * the waiting call fails with {@link io.cacdb.engine.error.QueryCancelledException} (57014) and so do its later
     * lock requests until the transaction ends. Does not block.
     */
    public void cancelLockWaits() {
        txn.locks().lockManager().cancel(txn.id());
    }

    /** Updates named columns of one row; {@link io.cacdb.engine.error.NotFoundException} if it is not there. */
    public Row update(String table, RowKey key, Map<String, Object> values) {
        return statement(() -> tables.update(context, table, key, values));
    }

    /** Replaces one row by a function of its current value; see {@link TableStore#update}. */
    public Row update(String table, RowKey key, UnaryOperator<Row> change) {
        return statement(() -> tables.update(context, table, key, change));
    }

    /** Deletes one row; returns it. {@link io.cacdb.engine.error.NotFoundException} if it is not there. */
    public Row delete(String table, RowKey key) {
        return statement(() -> tables.delete(context, table, key));
    }

    /** A range scan; the caller closes the cursor, before the transaction ends. */
    public RowCursor scan(String table, ScanSpec spec) {
        return statement(() -> tables.scan(context, table, spec));
    }

    // ------------------------------------------------------------------------------------------------ internals

    private <T> T statement(Supplier<T> body) {
        checkUsable();
        Transaction.Savepoint sp = txn.savepoint();
        int mark = changes.mark();
        try {
            return body.get();
        } catch (EngineException e) {
            if (e.action() == CallerAction.FIX_REQUEST) {
                undoStatement(sp, mark, e);
            } else {
                aborted = true;
            }
            throw e;
        } catch (RuntimeException | Error e) {
            aborted = true;
            throw e;
        }
    }

    private void undoStatement(Transaction.Savepoint sp, int mark, EngineException cause) {
        try {
            txn.rollbackTo(sp);
            changes.cutBackTo(mark);
        } catch (RuntimeException | Error e) {
            aborted = true;
            cause.addSuppressed(e);
        }
    }

    private void checkOpen() {
        if (ended) {
            throw new IllegalStateException("transaction " + txn.id() + " has ended");
        }
    }

    private void checkUsable() {
        checkOpen();
        if (aborted) {
            throw new TransactionAbortedException(txn.id());
        }
    }
}
