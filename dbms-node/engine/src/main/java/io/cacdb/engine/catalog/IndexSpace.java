package io.cacdb.engine.catalog;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.txn.Transaction;

/**
 * Where B+trees are created and dropped, transactionally: the engine's index directory (a registry of index id →
 * root page, itself a logged B+tree), seen through the three calls the catalog and the tables need. Thread-safe.
 */
public interface IndexSpace {

    /** Creates an empty B+tree in {@code txn} (gone again if the transaction rolls back); returns its index id. */
    long create(Transaction txn);

    /** Drops the B+tree {@code indexId} in {@code txn} (it stays if the transaction rolls back). */
    void drop(Transaction txn, long indexId);

    /** The B+tree of a live index id (one instance per index). */
    BTree tree(long indexId);
}
