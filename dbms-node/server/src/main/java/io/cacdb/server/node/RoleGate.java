package io.cacdb.server.node;

import io.cacdb.server.session.ExecuteOutcome;
import io.cacdb.server.session.PgType;
import io.cacdb.server.session.RowDescription;
import io.cacdb.server.session.RowSink;
import io.cacdb.server.session.SessionEvents;
import io.cacdb.server.session.SessionStartup;
import io.cacdb.server.session.SimpleQuerySink;
import io.cacdb.server.session.SqlBackend;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlPortal;
import io.cacdb.server.session.SqlSession;
import io.cacdb.server.session.SqlState;
import io.cacdb.server.session.SqlStatement;
import io.cacdb.server.session.TransactionStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The node's SQL backend as the protocol server sees it, for the node's whole life: it lets sessions through to the
 * real SQL layer only while the node serves (ACTIVE and holding its lease), and refuses everything else with SQLSTATE
 * 57P03 — at session start-up (a standby, a starting or fenced node: pgjdbc's {@code targetServerType=primary} then
 * tries the next host) and at every statement of a running session (the lease ran out: the session ends FATAL, so a
 * node that lost its lease serves not even reads).
 *
 * <p>Thread-safe: {@link #open} and {@link #close} swap one volatile reference; sessions read it per call.
 */
final class RoleGate implements SqlBackend {

    /** What is served while open: the backend and whether the node may serve at this instant (its lease). */
    private record Serving(SqlBackend backend, BooleanSupplier mayServe) {
    }

    private final Supplier<String> refusal;
    private volatile Serving serving;

    /** @param refusal says why a refused client cannot be served now (the node's name and role) */
    RoleGate(Supplier<String> refusal) {
        this.refusal = refusal;
    }

    /** Starts letting sessions through to {@code backend} while {@code mayServe} holds. */
    void open(SqlBackend backend, BooleanSupplier mayServe) {
        serving = new Serving(backend, mayServe);
    }

    /** Stops letting anything through: new sessions are refused, running ones end at their next call. */
    void close() {
        serving = null;
    }

    boolean isOpen() {
        Serving s = serving;
        return s != null && s.mayServe().getAsBoolean();
    }

    @Override
    public SqlSession openSession(SessionStartup startup, SessionEvents events) throws SqlException {
        Serving s = check(null);
        return new GatedSession(s.backend().openSession(startup, events), s);
    }

    /** The current serving state, or a FATAL 57P03 if the node may not serve (or no longer serves {@code of}). */
    private Serving check(Serving of) throws SqlException {
        Serving s = serving;
        if (s == null || (of != null && s != of) || !s.mayServe().getAsBoolean()) {
            throw SqlException.fatal(SqlState.CANNOT_CONNECT_NOW, of == null
                    ? "the database system is not accepting connections: " + refusal.get()
                    : "terminating connection: this node stopped serving (" + refusal.get() + ")");
        }
        return s;
    }

    private final class GatedSession implements SqlSession {
        private final SqlSession delegate;
        private final Serving of;

        GatedSession(SqlSession delegate, Serving of) {
            this.delegate = delegate;
            this.of = of;
        }

        @Override
        public Map<String, String> parameterStatus() {
            return delegate.parameterStatus();
        }

        @Override
        public TransactionStatus transactionStatus() {
            return delegate.transactionStatus();
        }

        @Override
        public void simpleQuery(String sql, SimpleQuerySink sink) throws SqlException {
            check(of);
            delegate.simpleQuery(sql, sink);
        }

        @Override
        public SqlStatement prepare(String sql, List<PgType> parameterTypes) throws SqlException {
            check(of);
            return delegate.prepare(sql, parameterTypes);
        }

        @Override
        public SqlPortal bind(SqlStatement statement, List<Object> parameters) throws SqlException {
            check(of);
            SqlPortal portal = delegate.bind(statement, parameters);
            return new SqlPortal() {
                @Override
                public Optional<RowDescription> rowDescription() {
                    return portal.rowDescription();
                }

                @Override
                public ExecuteOutcome execute(int maxRows, RowSink sink) throws SqlException {
                    check(of);
                    return portal.execute(maxRows, sink);
                }

                @Override
                public void close() {
                    portal.close();
                }
            };
        }

        @Override
        public void sync() throws SqlException {
            check(of);
            delegate.sync();
        }

        @Override
        public void cancel() {
            delegate.cancel();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
