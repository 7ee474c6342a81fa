package io.cacdb.server.sql.backend;

import io.cacdb.server.sql.pgcatalog.CatalogQueryShims;
import io.cacdb.server.sql.pgcatalog.PgCatalog;
import io.cacdb.server.sql.relation.VirtualTables;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Configuration of a {@link DatabaseSqlBackend}.
 *
 * @param planCacheEntries most plans kept (all sessions together); a plan is a few KiB, TPC-C needs about 30
 * @param virtualTables the virtual relations served (pg_catalog, information_schema)
 * @param statementRewriter replaces the text of a statement before it is parsed, or leaves it (empty): the
 *     compatibility shims for client catalog queries ({@link CatalogQueryShims})
 */
public record SqlBackendConfig(long planCacheEntries, VirtualTables virtualTables,
                               Function<String, Optional<String>> statementRewriter) {

    /** Default plan cache size: thousands of distinct statements, a few MiB at most. */
    public static final long PLAN_CACHE_ENTRIES_DEFAULT = 4_096;

    public SqlBackendConfig {
        Objects.requireNonNull(virtualTables, "virtualTables");
        Objects.requireNonNull(statementRewriter, "statementRewriter");
        if (planCacheEntries < 1) {
            throw new IllegalArgumentException("planCacheEntries must be positive, got " + planCacheEntries);
        }
    }

    /** The defaults: the system catalog ({@link PgCatalog}) and its query shims, 4,096 cached plans. */
    public static SqlBackendConfig defaults() {
        return new SqlBackendConfig(PLAN_CACHE_ENTRIES_DEFAULT, PgCatalog.standard().virtualTables(),
                CatalogQueryShims::rewrite);
    }

    public SqlBackendConfig withVirtualTables(VirtualTables tables) {
        return new SqlBackendConfig(planCacheEntries, tables, statementRewriter);
    }

    public SqlBackendConfig withPlanCacheEntries(long entries) {
        return new SqlBackendConfig(entries, virtualTables, statementRewriter);
    }

    public SqlBackendConfig withStatementRewriter(Function<String, Optional<String>> rewriter) {
        return new SqlBackendConfig(planCacheEntries, virtualTables, rewriter);
    }
}
