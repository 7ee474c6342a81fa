package io.cacdb.engine.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable set of definitions: what the catalog held at one moment (the committed state, or a transaction's
 * view with its own uncommitted DDL). Lookups by name and id; listings in name order, for psql's {@code \d} and
 * pgjdbc's metadata. Thread-safe.
 */
public final class CatalogSnapshot {

    private static final CatalogSnapshot EMPTY = new CatalogSnapshot(Map.of());

    private final Map<String, RelationDef> byName;
    private final Map<Long, TableDef> tablesById;
    private final Map<Long, List<IndexDef>> indexesByTable;

    private CatalogSnapshot(Map<String, RelationDef> byName) {
        this.byName = Collections.unmodifiableMap(new TreeMap<>(byName));
        Map<Long, TableDef> tables = new HashMap<>();
        Map<Long, List<IndexDef>> indexes = new HashMap<>();
        for (RelationDef def : this.byName.values()) {
            switch (def) {
                case TableDef t -> tables.put(t.id(), t);
                case IndexDef i -> indexes.computeIfAbsent(i.tableId(), k -> new ArrayList<>()).add(i);
            }
        }
        for (Map.Entry<Long, List<IndexDef>> e : indexes.entrySet()) {
            // The primary index first, then the others by id (creation order): a stable order for maintenance.
            e.getValue().sort(Comparator.comparing((IndexDef i) -> !i.primary()).thenComparingLong(IndexDef::id));
            e.setValue(List.copyOf(e.getValue()));
        }
        this.tablesById = Map.copyOf(tables);
        this.indexesByTable = Map.copyOf(indexes);
    }

    public static CatalogSnapshot empty() {
        return EMPTY;
    }

    public static CatalogSnapshot of(Iterable<? extends RelationDef> defs) {
        Map<String, RelationDef> m = new HashMap<>();
        for (RelationDef d : defs) {
            if (m.put(d.name(), d) != null) {
                throw new IllegalArgumentException("two relations named " + d.name());
            }
        }
        return new CatalogSnapshot(m);
    }

    /** This snapshot with {@code name} mapped to {@code def}, or removed if {@code def} is null. */
    public CatalogSnapshot with(String name, RelationDef def) {
        Map<String, RelationDef> m = new HashMap<>(byName);
        if (def == null) {
            m.remove(name);
        } else {
            if (!def.name().equals(name)) {
                throw new IllegalArgumentException("definition " + def.name() + " under name " + name);
            }
            m.put(name, def);
        }
        return new CatalogSnapshot(m);
    }

    public Optional<RelationDef> relation(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Optional<TableDef> table(String name) {
        return byName.get(name) instanceof TableDef t ? Optional.of(t) : Optional.empty();
    }

    public Optional<TableDef> table(long tableId) {
        return Optional.ofNullable(tablesById.get(tableId));
    }

    public Optional<IndexDef> index(String name) {
        return byName.get(name) instanceof IndexDef i ? Optional.of(i) : Optional.empty();
    }

    /** Every table, in name order. */
    public List<TableDef> tables() {
        List<TableDef> out = new ArrayList<>();
        for (RelationDef d : byName.values()) {
            if (d instanceof TableDef t) {
                out.add(t);
            }
        }
        return out;
    }

    /** The indexes of a table: the primary index (if the table has a declared key) first, then by creation. */
    public List<IndexDef> indexesOf(long tableId) {
        return indexesByTable.getOrDefault(tableId, List.of());
    }

    /** Every relation, in name order. */
    public List<RelationDef> relations() {
        return List.copyOf(byName.values());
    }

    @Override
    public String toString() {
        return "CatalogSnapshot" + byName.keySet();
    }
}
