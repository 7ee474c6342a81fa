package io.cacdb.engine.table;

import io.cacdb.engine.catalog.CatalogChanges;
import io.cacdb.engine.txn.Transaction;
import java.util.Objects;

/**
 * What the table layer needs of a transaction: the engine transaction, and the catalog changes its DDL made so far
 * (published at commit by the caller). Used on the transaction's thread.
 */
public record TableTxn(Transaction txn, CatalogChanges catalogChanges) {

    public TableTxn {
        Objects.requireNonNull(txn, "txn");
        Objects.requireNonNull(catalogChanges, "catalogChanges");
    }
}
