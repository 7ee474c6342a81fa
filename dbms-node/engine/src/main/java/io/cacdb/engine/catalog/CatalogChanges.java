package io.cacdb.engine.catalog;

import java.util.ArrayList;
import java.util.List;

/**
 * One transaction's uncommitted DDL, as the catalog entries it changed: each change is (name, definition before,
 * definition after; null = absent). The transaction sees the committed catalog with these applied
 * ({@link Catalog#view}); at commit they are published, at rollback dropped, at a rollback to a savepoint cut back
 * to {@link #mark()}. Belongs to its transaction's thread.
 */
public final class CatalogChanges {

    /** One changed catalog entry. */
    public record Change(String name, RelationDef before, RelationDef after) {
    }

    private final List<Change> changes = new ArrayList<>();

    public void add(String name, RelationDef before, RelationDef after) {
        changes.add(new Change(name, before, after));
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    public List<Change> list() {
        return List.copyOf(changes);
    }

    /** A position to cut back to. */
    public int mark() {
        return changes.size();
    }

    /** Forgets the changes made after {@code mark}, whose catalog rows a rollback to a savepoint has undone. */
    public void cutBackTo(int mark) {
        if (mark < 0 || mark > changes.size()) {
            throw new IllegalArgumentException("mark " + mark + " outside [0, " + changes.size() + "]");
        }
        changes.subList(mark, changes.size()).clear();
    }

    public void clear() {
        changes.clear();
    }

    /** {@code base} with these changes applied in order. */
    public CatalogSnapshot applyTo(CatalogSnapshot base) {
        CatalogSnapshot s = base;
        for (Change c : changes) {
            s = s.with(c.name(), c.after());
        }
        return s;
    }
}
