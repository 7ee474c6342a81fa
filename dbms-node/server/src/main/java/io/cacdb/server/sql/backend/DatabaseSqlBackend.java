package io.cacdb.server.sql.backend;

import io.cacdb.engine.Database;
import io.cacdb.server.session.SessionEvents;
import io.cacdb.server.session.SessionStartup;
import io.cacdb.server.session.SqlBackend;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlSession;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SQL layer over one {@link Database}, as the protocol server sees it: one {@link DatabaseSession} per client
 * connection (parse, bind, plan, execute; PostgreSQL's transaction rules), a plan cache shared by the sessions, and
 * the virtual tables of {@link SqlBackendConfig}. The node is the active: sessions report {@code in_hot_standby =
 * off} and {@code default_transaction_read_only = off}.
 *
 * <p>{@code new DatabaseSqlBackend(database, registry)} matches the node's {@code SqlLayer} (a method reference
 * {@code DatabaseSqlBackend::new}). The database stays the caller's: {@link #close()} only stops the statement-timeout
 * timer. Thread-safe.
 */
public final class DatabaseSqlBackend implements SqlBackend, AutoCloseable {

    private final Database database;
    private final SqlBackendConfig config;
    private final PlanCache plans;
    private final AtomicInteger openSessions = new AtomicInteger();
    /** One daemon thread that fires statement timeouts (it only sets flags and cancels lock waits). */
    private final ScheduledExecutorService timeouts;
    private final MeterRegistry registry;

    public DatabaseSqlBackend(Database database, MeterRegistry registry) {
        this(database, SqlBackendConfig.defaults(), registry);
    }

    public DatabaseSqlBackend(Database database, SqlBackendConfig config, MeterRegistry registry) {
        this.database = database;
        this.config = config;
        this.registry = registry;
        this.plans = new PlanCache(config.planCacheEntries(), registry);
        this.timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sql-statement-timeouts");
            t.setDaemon(true);
            return t;
        });
        Gauge.builder("cacdb.sql.sessions", openSessions, AtomicInteger::get).register(registry);
    }

    @Override
    public SqlSession openSession(SessionStartup startup, SessionEvents events) throws SqlException {
        DatabaseSession s = new DatabaseSession(this, startup, events);
        openSessions.incrementAndGet();
        return s;
    }

    Database database() {
        return database;
    }

    SqlBackendConfig config() {
        return config;
    }

    PlanCache plans() {
        return plans;
    }

    ScheduledExecutorService timeouts() {
        return timeouts;
    }

    MeterRegistry registry() {
        return registry;
    }

    void sessionClosed() {
        openSessions.decrementAndGet();
    }

    /** Sessions open now. */
    public int openSessions() {
        return openSessions.get();
    }

    /** Plans in the cache now (tests: the cache is bounded and emptied by DDL). */
    public long cachedPlans() {
        return plans.size();
    }

    @Override
    public void close() {
        timeouts.shutdownNow();
    }
}
