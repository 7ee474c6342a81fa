package io.cacdb.server.sql.backend;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cacdb.engine.catalog.CatalogSnapshot;
import io.cacdb.server.session.PgType;
import io.cacdb.server.sql.plan.StatementPlan;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * The plans of statements, shared by every session of a backend: a bounded Caffeine cache keyed by the statement
 * text, the parameter types the client declared, and the catalog snapshot the plan was made against. A committed DDL
 * publishes a new snapshot, so plans of the old catalog are never found again; the backend also empties the cache
 * after a DDL commits so they do not wait for eviction. A transaction with uncommitted DDL of its own plans without
 * the cache. Thread-safe.
 */
final class PlanCache {

    /** A cached plan and the parameter types it inferred (what ParameterDescription reports). */
    record Planned(StatementPlan plan, List<PgType> parameterTypes) {
    }

    /**
     * The key. The catalog snapshot is compared by identity (snapshots do not override equals), which is exactly
     * "the same catalog version".
     */
    record Key(String sql, List<PgType> declaredTypes, CatalogSnapshot catalog) {
    }

    private final Cache<Key, Planned> cache;
    private final Counter hits;
    private final Counter misses;

    PlanCache(long maximumEntries, MeterRegistry registry) {
        this.cache = Caffeine.newBuilder().maximumSize(maximumEntries).build();
        this.hits = Counter.builder("cacdb.sql.plan_cache.hits").register(registry);
        this.misses = Counter.builder("cacdb.sql.plan_cache.misses").register(registry);
        Gauge.builder("cacdb.sql.plan_cache.size", cache, Cache::estimatedSize).register(registry);
    }

    Planned get(Key key) {
        Planned p = cache.getIfPresent(key);
        (p == null ? misses : hits).increment();
        return p;
    }

    void put(Key key, Planned planned) {
        cache.put(key, planned);
    }

    void invalidateAll() {
        cache.invalidateAll();
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
