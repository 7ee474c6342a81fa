package io.cacdb.server.sql.relation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry of virtual tables a backend serves, by schema and name. Immutable once built; thread-safe. Unqualified
 * names find relations of {@code pg_catalog} before user tables, as PostgreSQL's implicit search path does; other
 * schemas (information_schema) must be named.
 */
public final class VirtualTables {

    /** The schema searched before {@code public} for unqualified names. */
    public static final String PG_CATALOG = "pg_catalog";

    private static final VirtualTables NONE = new VirtualTables(List.of());

    private final Map<String, VirtualTable> byQualifiedName = new LinkedHashMap<>();

    private VirtualTables(List<VirtualTable> tables) {
        for (VirtualTable t : tables) {
            if (byQualifiedName.put(t.schema() + "." + t.name(), t) != null) {
                throw new IllegalArgumentException("two virtual tables named " + t.schema() + "." + t.name());
            }
        }
    }

    public static VirtualTables none() {
        return NONE;
    }

    public static VirtualTables of(List<VirtualTable> tables) {
        return new VirtualTables(tables);
    }

    /** The relation {@code schema.name}, or for a null schema the {@code pg_catalog} one of that name. */
    public Optional<VirtualTable> find(String schema, String name) {
        return Optional.ofNullable(byQualifiedName.get((schema == null ? PG_CATALOG : schema) + "." + name));
    }

    public List<VirtualTable> all() {
        return List.copyOf(byQualifiedName.values());
    }
}
