package io.cacdb.engine;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.catalog.Catalog;
import io.cacdb.engine.catalog.CatalogSnapshot;
import io.cacdb.engine.catalog.IndexSpace;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.table.TableStore;
import io.cacdb.engine.index.IndexDirectory;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.txn.TransactionManager;
import io.cacdb.engine.volume.VolumeWriter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.function.LongSupplier;

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
public final class Database implements AutoCloseable {

    /**
     * The index id of the catalog's B+tree: a reserved id of the {@link IndexDirectory} (system tables get fixed ids
     * below {@link IndexDirectory#FIRST_ALLOCATED_INDEX_ID}), so a volume's catalog is found without any other
     * pointer. Stable: it is in the log and on storage.
     */
    public static final long CATALOG_INDEX_ID = 2;

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
    /** The engine this database opened and closes, or null. */
    private final Engine owned;

    private Database(Transactions transactions, Catalog catalog, Engine owned) {
        this.transactions = transactions;
        this.catalog = catalog;
        this.tables = new TableStore(catalog);
        this.owned = owned;
    }

    /**
     * Opens the engine on {@code volume} (formatting or recovering it, see {@link Engine#open}) and the database on
     * it, creating the catalog on a new volume. {@link #close()} closes the engine.
     */
    public static Database open(VolumeWriter volume, EngineConfig config, MeterRegistry registry) {
        return open(volume, config, registry, () -> Long.MAX_VALUE);
    }

    /**
     * {@link #open(VolumeWriter, EngineConfig, MeterRegistry)} keeping the log at or above {@code retentionFloorLsn}
     * (a standby's replayed LSN; see {@link Engine#open(VolumeWriter, EngineConfig, MeterRegistry, LongSupplier)}).
     */
    public static Database open(VolumeWriter volume, EngineConfig config, MeterRegistry registry,
                                LongSupplier retentionFloorLsn) {
        return owning(Engine.open(volume, config, registry, retentionFloorLsn));
    }

    /**
     * The database of a takeover: {@link Engine#takeOver} with a standby's warm pool, then the catalog.
     * {@link #close()} closes the engine.
     */
    public static Database takeOver(VolumeWriter volume, EngineConfig config, MeterRegistry registry,
                                    LongSupplier retentionFloorLsn, Engine.WarmStart warm) {
        return owning(Engine.takeOver(volume, config, registry, retentionFloorLsn, warm));
    }

    private static Database owning(Engine engine) {
        try {
            return on(engine, engine);
        } catch (RuntimeException | Error e) {
            try {
                engine.close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    /**
     * A database on an open engine, which the caller keeps and closes; creates the catalog on a new volume. The
     * engine must have finished recovery (it has, once {@link Engine#open} returned).
     */
    public static Database on(Engine engine) {
        return on(engine, null);
    }

    private static Database on(Engine engine, Engine owned) {
        TransactionManager txns = engine.transactions();
        IndexDirectory directory = engine.indexes();
        if (directory.find(CATALOG_INDEX_ID).isEmpty()) {
            Transaction t = txns.begin(IsolationLevel.SERIALIZABLE, false);
            boolean committed = false;
            try {
                directory.createReserved(t, CATALOG_INDEX_ID);
                txns.commit(t);
                committed = true;
            } finally {
                if (!committed) {
                    txns.rollback(t);
                }
            }
        }
        Transactions transactions = new Transactions() {
            @Override
            public Transaction begin(IsolationLevel isolation, boolean readOnly) {
                return txns.begin(isolation, readOnly);
            }

            @Override
            public void commit(Transaction txn) {
                txns.commit(txn);
            }

            @Override
            public void rollback(Transaction txn) {
                txns.rollback(txn);
            }
        };
        IndexSpace space = new IndexSpace() {
            @Override
            public long create(Transaction txn) {
                return directory.create(txn);
            }

            @Override
            public void drop(Transaction txn, long indexId) {
                directory.drop(txn, indexId);
            }

            @Override
            public BTree tree(long indexId) {
                return directory.tree(indexId);
            }
        };
        return new Database(transactions, Catalog.load(space, CATALOG_INDEX_ID), owned);
    }

    /**
     * A database over a transaction manager and an index space whose catalog B+tree is {@code catalogIndexId};
     * loads the catalog, so recovery must be complete.
     */
    public static Database on(Transactions transactions, IndexSpace space, long catalogIndexId) {
        Objects.requireNonNull(transactions, "transactions");
        return new Database(transactions, Catalog.load(space, catalogIndexId), null);
    }

    /** Begins a transaction. */
    public DatabaseTransaction begin(IsolationLevel isolation, boolean readOnly) {
        return new DatabaseTransaction(transactions, tables, transactions.begin(isolation, readOnly));
    }

    /** The committed catalog: tables, their columns and indexes. */
    public CatalogSnapshot catalog() {
        return catalog.snapshot();
    }

    /** The engine this database opened, for its operations (checkpoints, metrics, an abrupt close in tests). */
    public Engine engine() {
        if (owned == null) {
            throw new IllegalStateException("this database was not opened on a volume; its caller has the engine");
        }
        return owned;
    }

    /** Closes the engine if this database opened it ({@link #open}); transactions still open are lost. */
    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }
}
