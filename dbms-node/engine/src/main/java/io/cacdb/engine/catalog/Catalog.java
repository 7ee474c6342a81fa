package io.cacdb.engine.catalog;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.btree.BTreeCursor;
import io.cacdb.engine.btree.KeyRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The catalog: table and index definitions, stored in a B+tree of the engine like user data (so DDL is logged,
 * undone and replayed — by the standby too — like any row change), and cached in memory as an immutable
 * {@link CatalogSnapshot}.
 *
 * <p>Design note. The B+tree ({@link #catalogIndexId()}) maps a relation's name ({@link CatalogCodec#key}) to its
 * definition. It is written only by DDL in a transaction, under the key-range lock protocol like any index (so two
 * transactions creating the same name serialize on the name's key lock, and the second sees the first's outcome).
 * The cache is the committed state; a transaction with DDL sees it with its own {@link CatalogChanges} applied
 * ({@link #view}). A transaction's changes are {@linkplain #publish published} just <em>before</em> its commit, while
 * it still holds its locks — the DDL's X (or S) lock on the table — and {@linkplain #revert reverted} if the commit
 * fails. Publishing before the locks go is what makes the cache safe: another transaction resolves a name, locks the
 * table, then resolves the name again and goes on only if the definition is unchanged; since the DDL's lock is
 * released only after its publication, the second resolution always sees the DDL's outcome.
 *
 * <p>Thread-safe: the snapshot is a volatile immutable reference; publications are serialized.
 */
public final class Catalog {

    private final IndexSpace space;
    private final long catalogIndexId;
    private volatile CatalogSnapshot committed;

    private Catalog(IndexSpace space, long catalogIndexId, CatalogSnapshot committed) {
        this.space = space;
        this.catalogIndexId = catalogIndexId;
        this.committed = committed;
    }

    /**
     * Loads the catalog from its B+tree. Called when the engine opens, after recovery (so the tree holds exactly the
     * committed definitions) and before any transaction runs, so it reads without locks.
     */
    public static Catalog load(IndexSpace space, long catalogIndexId) {
        Objects.requireNonNull(space, "space");
        BTree tree = space.tree(catalogIndexId);
        List<RelationDef> defs = new ArrayList<>();
        BTreeCursor c = tree.cursor(KeyRange.all(), true);
        while (c.next()) {
            RelationDef def = CatalogCodec.decode(c.value());
            byte[] expectedKey = CatalogCodec.key(def.name());
            if (!java.util.Arrays.equals(expectedKey, c.key())) {
                throw new IllegalStateException("catalog entry " + def.name() + " is stored under another key");
            }
            defs.add(def);
        }
        CatalogSnapshot snapshot = CatalogSnapshot.of(defs);
        for (RelationDef d : snapshot.relations()) {
            if (d instanceof IndexDef i && snapshot.table(i.tableId()).isEmpty()) {
                throw new IllegalStateException("index " + i.name() + " belongs to table id " + i.tableId()
                        + ", which the catalog does not have");
            }
        }
        return new Catalog(space, catalogIndexId, snapshot);
    }

    /** The index id of the catalog's own B+tree. */
    public long catalogIndexId() {
        return catalogIndexId;
    }

    public BTree tree() {
        return space.tree(catalogIndexId);
    }

    public IndexSpace indexSpace() {
        return space;
    }

    /** The committed definitions. */
    public CatalogSnapshot snapshot() {
        return committed;
    }

    /** The committed definitions with a transaction's own uncommitted changes applied. */
    public CatalogSnapshot view(CatalogChanges changes) {
        CatalogSnapshot base = committed;
        return changes.isEmpty() ? base : changes.applyTo(base);
    }

    /**
     * Makes a transaction's changes the committed state; called right before its commit, while it holds its locks.
     * Each change must find the definition it started from: the locks serialize conflicting DDL, so anything else is
     * a bug.
     */
    public synchronized void publish(CatalogChanges changes) {
        CatalogSnapshot s = committed;
        for (CatalogChanges.Change c : changes.list()) {
            RelationDef current = s.relation(c.name()).orElse(null);
            if (!Objects.equals(current, c.before())) {
                throw new IllegalStateException("catalog entry " + c.name() + " is " + current
                        + " at publication, but the transaction changed it from " + c.before());
            }
            s = s.with(c.name(), c.after());
        }
        committed = s;
    }

    /** Undoes a {@link #publish} whose commit failed. */
    public synchronized void revert(CatalogChanges changes) {
        List<CatalogChanges.Change> list = changes.list();
        CatalogSnapshot s = committed;
        for (int i = list.size() - 1; i >= 0; i--) {
            CatalogChanges.Change c = list.get(i);
            RelationDef current = s.relation(c.name()).orElse(null);
            if (!Objects.equals(current, c.after())) {
                throw new IllegalStateException("catalog entry " + c.name() + " is " + current
                        + " at revert, but the transaction published " + c.after());
            }
            s = s.with(c.name(), c.before());
        }
        committed = s;
    }
}
