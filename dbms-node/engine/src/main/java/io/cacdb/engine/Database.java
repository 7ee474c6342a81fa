package io.cacdb.engine;

import io.cacdb.engine.catalog.Catalog;
import io.cacdb.engine.catalog.CatalogSnapshot;
import io.cacdb.engine.catalog.IndexSpace;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.table.TableStore;
import io.cacdb.engine.txn.Transaction;
import java.util.Objects;

/**
 * The embedded API of the engine, what the SQL layer uses: transactions with statement savepoints, DDL (tables,
 * indexes, truncate), row operations and range scans, and the catalog for listings.
 *
 * <p>Promises. A {@link DatabaseTransaction} is strict two-phase locked at the isolation level it was begun with
 * (SERIALIZABLE: key-range locks, no phantoms; READ COMMITTED: short read locks); its {@code commit} returns only
 * when the commit is durable. Each call is a statement: it changes everything or nothing (a failed call is rolled
 * back to where it started, unless the error says the whole transaction must go, see {@link DatabaseTransaction}).
 * DDL is transactional and logged like row changes, so a crash, a rollback, and the standby's replay treat it like
 * data. Errors are the typed {@link io.cacdb.engine.error.EngineException}s, each with its SQLSTATE.
 *
 * <p>Threads: thread-safe; each transaction is used by one thread at a time (a client session).
 */
public final class Database {

    /** The transaction manager, as the database needs it. */
    public interface Transactions {
        Transaction begin(IsolationLevel isolation, boolean readOnly);

        /** Durable before it returns; releases the transaction's locks. */
        void commit(Transaction txn);

        /** Undoes every change, releases the locks. */
        void rollback(Transaction txn);
    }

    private final Transactions transactions;
    private final Catalog catalog;
    private final TableStore tables;

    private Database(Transactions transactions, Catalog catalog) {
        this.transactions = transactions;
        this.catalog = catalog;
        this.tables = new TableStore(catalog);
    }

    /**
     * A database over a transaction manager and an index space whose catalog B+tree is {@code catalogIndexId};
     * loads the catalog, so recovery must be complete.
     */
    public static Database on(Transactions transactions, IndexSpace space, long catalogIndexId) {
        Objects.requireNonNull(transactions, "transactions");
        return new Database(transactions, Catalog.load(space, catalogIndexId));
    }

    /** Begins a transaction. */
    public DatabaseTransaction begin(IsolationLevel isolation, boolean readOnly) {
        return new DatabaseTransaction(transactions, tables, transactions.begin(isolation, readOnly));
    }

    /** The committed catalog: tables, their columns and indexes. */
    public CatalogSnapshot catalog() {
        return catalog.snapshot();
    }
}
