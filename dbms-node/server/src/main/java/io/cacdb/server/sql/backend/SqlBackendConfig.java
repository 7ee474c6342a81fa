package io.cacdb.server.sql.backend;

import io.cacdb.server.sql.relation.VirtualTables;
import java.util.Objects;

/**
 * Configuration of a {@link DatabaseSqlBackend}.
 *
 * @param planCacheEntries most plans kept (all sessions together); a plan is a few KiB, TPC-C needs about 30
 * @param virtualTables the virtual relations served (pg_catalog, information_schema)
 */
public record SqlBackendConfig(long planCacheEntries, VirtualTables virtualTables) {

    /** Default plan cache size: thousands of distinct statements, a few MiB at most. */
    public static final long PLAN_CACHE_ENTRIES_DEFAULT = 4_096;

    public SqlBackendConfig {
        Objects.requireNonNull(virtualTables, "virtualTables");
        if (planCacheEntries < 1) {
            throw new IllegalArgumentException("planCacheEntries must be positive, got " + planCacheEntries);
        }
    }

    public static SqlBackendConfig defaults() {
        return new SqlBackendConfig(PLAN_CACHE_ENTRIES_DEFAULT, VirtualTables.none());
    }

    public SqlBackendConfig withVirtualTables(VirtualTables tables) {
        return new SqlBackendConfig(planCacheEntries, tables);
    }

    public SqlBackendConfig withPlanCacheEntries(long entries) {
        return new SqlBackendConfig(entries, virtualTables);
    }
}
