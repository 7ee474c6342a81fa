package io.cacdb.server.sql.backend;

import io.cacdb.engine.Database;
import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.catalog.CatalogSnapshot;
import io.cacdb.server.session.Column;
import io.cacdb.server.session.ExecuteOutcome;
import io.cacdb.server.session.PgType;
import io.cacdb.server.session.RowDescription;
import io.cacdb.server.session.RowSink;
import io.cacdb.server.session.SessionEvents;
import io.cacdb.server.session.SessionStartup;
import io.cacdb.server.session.SimpleQuerySink;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlNotice;
import io.cacdb.server.session.SqlPortal;
import io.cacdb.server.session.SqlSession;
import io.cacdb.server.session.SqlState;
import io.cacdb.server.session.SqlStatement;
import io.cacdb.server.session.TransactionStatus;
import io.cacdb.server.sql.bind.Binder;
import io.cacdb.server.sql.bind.BoundStatement;
import io.cacdb.server.sql.exec.DmlExecutor;
import io.cacdb.server.sql.exec.ExecContext;
import io.cacdb.server.sql.exec.QueryExecutor;
import io.cacdb.server.sql.exec.RowSource;
import io.cacdb.server.sql.expr.ParameterTypes;
import io.cacdb.server.sql.parse.IsolationMode;
import io.cacdb.server.sql.parse.SqlParser;
import io.cacdb.server.sql.parse.StatementText;
import io.cacdb.server.sql.parse.UtilityStatement;
import io.cacdb.server.sql.plan.PlanPrinter;
import io.cacdb.server.sql.plan.Planner;
import io.cacdb.server.sql.plan.StatementPlan;
import io.cacdb.server.sql.types.SqlType;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's session: PostgreSQL's transaction rules over the engine's transactions.
 *
 * <p>Design note. State: the transaction block ({@link Block}: none, implicit, explicit), the engine transaction
 * (begun lazily by the first statement that needs one), a failed flag (an error inside an explicit block: every
 * statement but ROLLBACK / COMMIT / ROLLBACK TO gets 25P02), and named savepoints.
 * <ul>
 *   <li>Outside a block a statement runs in an implicit transaction, committed at the end of the simple-query string
 *   (so a multi-statement string is one transaction) or at Sync in the extended protocol (so a pipeline of Executes
 *   is one); an error rolls the implicit transaction back.</li>
 *   <li>BEGIN opens an explicit block (statements before it in the same string join it), COMMIT/ROLLBACK close it.
 *   An error in it rolls the current statement back to its savepoint and fails the block; without savepoints the
 *   engine transaction is rolled back at once (its locks released), and the block stays failed until ROLLBACK.</li>
 *   <li>Every statement runs under an engine savepoint, so a failing statement leaves nothing behind.</li>
 *   <li>{@link #cancel()} (any thread) sets a flag operators check once per row and cancels the engine
 *   transaction's lock wait: the statement fails with 57014 and its transaction is rolled back (or failed).</li>
 * </ul>
 * Every method but {@link #cancel()} is called by the connection's thread, one at a time.
 */
final class DatabaseSession implements SqlSession {

    private static final Logger log = LoggerFactory.getLogger(DatabaseSession.class);

    private enum Block { NONE, IMPLICIT, EXPLICIT }

    private record NamedSavepoint(String name, DatabaseTransaction.StatementSavepoint savepoint) {
    }

    private final DatabaseSqlBackend backend;
    private final Database db;
    private final SessionStartup startup;
    private final SessionEvents events;
    private final SessionSettings settings;

    private Block block = Block.NONE;
    private DatabaseTransaction txn;
    private boolean failed;
    private boolean ddlInTransaction;
    /** Characteristics of the current or next transaction (BEGIN ..., SET TRANSACTION ...); null: the session's. */
    private IsolationMode blockIsolation;
    private Boolean blockReadOnly;
    private OffsetDateTime transactionTimestamp;
    private final List<NamedSavepoint> savepoints = new ArrayList<>();
    private boolean closed;

    private volatile boolean running;
    private volatile String cancelReason;
    private volatile DatabaseTransaction runningTxn;
    private ScheduledFuture<?> timeout;

    DatabaseSession(DatabaseSqlBackend backend, SessionStartup startup, SessionEvents events) throws SqlException {
        this.backend = backend;
        this.db = backend.database();
        this.startup = startup;
        this.events = events;
        this.settings = new SessionSettings(startup.user());
        for (Map.Entry<String, String> p : startup.parameters().entrySet()) {
            String name = p.getKey();
            if (settings.get(name) != null && !name.equalsIgnoreCase("client_encoding")
                    && !name.equalsIgnoreCase("DateStyle") && !name.equalsIgnoreCase("TimeZone")) {
                try {
                    settings.set(name, p.getValue());
                } catch (SqlException e) {
                    throw SqlException.fatal(e.sqlState(), e.getMessage());
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ seam

    @Override
    public Map<String, String> parameterStatus() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("in_hot_standby", "off");
        m.put("default_transaction_read_only", settings.get("default_transaction_read_only"));
        m.put("is_superuser", "on");
        m.put("TimeZone", "UTC");
        return m;
    }

    @Override
    public TransactionStatus transactionStatus() {
        if (failed) {
            return TransactionStatus.FAILED;
        }
        return block == Block.EXPLICIT ? TransactionStatus.IN_TRANSACTION : TransactionStatus.IDLE;
    }

    @Override
    public void simpleQuery(String sql, SimpleQuerySink sink) throws SqlException {
        try {
            List<StatementText> parts = SqlParser.split(sql);
            boolean any = false;
            for (StatementText part : parts) {
                if (part.isEmpty()) {
                    continue;
                }
                any = true;
                Prepared p = prepareText(part, List.of());
                Execution ex = start(p, List.of());
                if (ex.description != null) {
                    sink.rowDescription(ex.description);
                }
                ExecuteOutcome o = fetch(ex, 0, sink);
                sink.commandComplete(((ExecuteOutcome.Completed) o).commandTag());
            }
            if (!any) {
                sink.emptyQuery();
            }
            if (block == Block.IMPLICIT) {
                commitImplicit();
            }
        } catch (SqlException | RuntimeException e) {
            throw failure(e);
        }
    }

    @Override
    public SqlStatement prepare(String sql, List<PgType> parameterTypes) throws SqlException {
        try {
            return prepareText(SqlParser.single(sql), parameterTypes);
        } catch (SqlException | RuntimeException e) {
            throw failure(e);
        }
    }

    @Override
    public SqlPortal bind(SqlStatement statement, List<Object> parameters) throws SqlException {
        Prepared p = (Prepared) statement;
        if (parameters.size() != p.parameterTypes.size()) {
            throw failure(new SqlException(SqlState.PROTOCOL_VIOLATION, "bind message supplies " + parameters.size()
                    + " parameters, but prepared statement requires " + p.parameterTypes.size()));
        }
        if (p.kind == Kind.PLANNED && failed) {
            throw failure(new SqlException(SqlState.IN_FAILED_SQL_TRANSACTION,
                    "current transaction is aborted, commands ignored until end of transaction block"));
        }
        return new Portal(p, new ArrayList<>(parameters));
    }

    @Override
    public void sync() throws SqlException {
        if (block == Block.IMPLICIT) {
            commitImplicit();
        }
    }

    @Override
    public void cancel() {
        if (!running) {
            return;
        }
        cancelReason = "canceling statement due to user request";
        DatabaseTransaction t = runningTxn;
        if (t != null) {
            t.cancelLockWaits();
        }
    }

    private void timeoutFired() {
        if (!running) {
            return;
        }
        cancelReason = "canceling statement due to statement timeout";
        DatabaseTransaction t = runningTxn;
        if (t != null) {
            t.cancelLockWaits();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cancel();
        if (txn != null) {
            try {
                txn.rollback();
            } catch (RuntimeException e) {
                log.warn("rolling back the transaction of a closed session failed", e);
            }
            txn = null;
        }
        backend.sessionClosed();
    }

    // ------------------------------------------------------------------------------------------------ statements

    /** What a statement is, once read. */
    private enum Kind { EMPTY, UTILITY, EXPLAIN, PLANNED }

    /** A prepared statement: read once; its plan re-made when the catalog it was planned against changed. */
    private final class Prepared implements SqlStatement {
        final StatementText text;
        final List<PgType> declared;
        final Kind kind;
        final UtilityStatement utility;
        List<PgType> parameterTypes;
        PlanCache.Planned planned;
        CatalogSnapshot plannedFor;
        RowDescription description;

        Prepared(StatementText text, List<PgType> declared, Kind kind, UtilityStatement utility) {
            this.text = text;
            this.declared = List.copyOf(declared);
            this.kind = kind;
            this.utility = utility;
            this.parameterTypes = List.copyOf(declared);
        }

        @Override
        public List<PgType> parameterTypes() {
            return parameterTypes;
        }

        @Override
        public Optional<RowDescription> rowDescription() {
            return Optional.ofNullable(description);
        }

        @Override
        public void close() {
            planned = null;
        }
    }

    private Prepared prepareText(StatementText text, List<PgType> declared) throws SqlException {
        if (text.isEmpty()) {
            return new Prepared(text, declared, Kind.EMPTY, null);
        }
        Optional<UtilityStatement> u = SqlParser.utility(text);
        if (u.isPresent()) {
            if (u.get() instanceof UtilityStatement.Explain) {
                Prepared p = new Prepared(text, declared, Kind.EXPLAIN, u.get());
                p.description = new RowDescription(List.of(new Column("QUERY PLAN", PgType.TEXT)));
                return p;
            }
            Prepared p = new Prepared(text, declared, Kind.UTILITY, u.get());
            if (u.get() instanceof UtilityStatement.Show s) {
                p.description = s.name().equals("all")
                        ? new RowDescription(List.of(new Column("name", PgType.TEXT), new Column("setting", PgType.TEXT),
                                new Column("description", PgType.TEXT)))
                        : new RowDescription(List.of(new Column(SessionSettings.displayName(s.name()).toLowerCase(),
                                PgType.TEXT)));
            }
            return p;
        }
        requireNotFailed();
        Prepared p = new Prepared(text, declared, Kind.PLANNED, null);
        replanIfNeeded(p, false);
        return p;
    }

    /** The catalog the next statement sees: the transaction's view (its own DDL included) or the committed one. */
    private CatalogSnapshot currentCatalog() {
        return txn != null ? txn.catalog() : db.catalog();
    }

    private void replanIfNeeded(Prepared p, boolean mustKeepShape) throws SqlException {
        CatalogSnapshot catalog = currentCatalog();
        if (p.planned != null && p.plannedFor == catalog) {
            return;
        }
        PlanCache.Planned planned = plan(p.text, p.declared, catalog);
        RowDescription description = planned.plan().rowDescription();
        if (mustKeepShape && (!planned.parameterTypes().equals(p.parameterTypes)
                || !java.util.Objects.equals(description, p.description))) {
            throw new SqlException(SqlState.FEATURE_NOT_SUPPORTED, "cached plan must not change result type");
        }
        p.planned = planned;
        p.plannedFor = catalog;
        p.parameterTypes = planned.parameterTypes();
        p.description = description;
    }

    private PlanCache.Planned plan(StatementText text, List<PgType> declared, CatalogSnapshot catalog)
            throws SqlException {
        boolean cacheable = catalog == db.catalog();
        PlanCache.Key key = new PlanCache.Key(text.text(), declared, catalog);
        if (cacheable) {
            PlanCache.Planned hit = backend.plans().get(key);
            if (hit != null) {
                return hit;
            }
        }
        SqlParser.Parsed parsed = SqlParser.parseAst(text);
        if (!(parsed instanceof SqlParser.Ast ast)) {
            throw new SqlException(SqlState.SYNTAX_ERROR, "empty statement");
        }
        ParameterTypes params = new ParameterTypes(declared);
        BoundStatement bound = Binder.bind(ast.statement(), text, catalog, backend.config().virtualTables(), params);
        List<PgType> types = params.finish().stream().map(SqlType::pg).toList();
        StatementPlan plan = Planner.plan(bound, catalog);
        PlanCache.Planned planned = new PlanCache.Planned(plan, types);
        if (cacheable) {
            backend.plans().put(key, planned);
        }
        return planned;
    }

    private void requireNotFailed() throws SqlException {
        if (failed) {
            throw new SqlException(SqlState.IN_FAILED_SQL_TRANSACTION,
                    "current transaction is aborted, commands ignored until end of transaction block");
        }
    }

    // ------------------------------------------------------------------------------------------------ executions

    /** A running statement: its rows come from an open operator tree, or were computed at start. */
    private final class Execution {
        final RowDescription description;
        final DatabaseTransaction transaction;
        final DatabaseTransaction.StatementSavepoint savepoint;
        RowSource source;
        ExecContext context;
        Iterator<Object[]> buffered;
        String tag;
        String tagPrefix;
        long rows;
        boolean done;

        Execution(RowDescription description, DatabaseTransaction transaction,
                DatabaseTransaction.StatementSavepoint savepoint) {
            this.description = description;
            this.transaction = transaction;
            this.savepoint = savepoint;
        }

        void close() {
            if (source != null) {
                source.close();
                source = null;
            }
        }
    }

    private Execution finished(String tag, RowDescription description, List<Object[]> rows) {
        Execution ex = new Execution(description, txn, null);
        ex.tag = tag;
        ex.buffered = rows.iterator();
        return ex;
    }

    /** Starts a statement: transaction rules, then the first step of its execution. */
    private Execution start(Prepared p, List<Object> params) throws SqlException {
        return switch (p.kind) {
            case EMPTY -> null;
            case UTILITY -> utility(p.utility);
            case EXPLAIN -> explain((UtilityStatement.Explain) p.utility);
            case PLANNED -> {
                requireNotFailed();
                replanIfNeeded(p, true);
                yield startPlanned(p.planned.plan(), params);
            }
        };
    }

    private Execution startPlanned(StatementPlan plan, List<Object> params) throws SqlException {
        ensureTransaction(plan instanceof StatementPlan.Query q && q.rowDescription() != null);
        DatabaseTransaction.StatementSavepoint sp;
        try {
            sp = txn.savepoint();
        } catch (RuntimeException e) {
            throw statementFailed(e, null, null);
        }
        Execution ex = new Execution(plan.rowDescription(), txn, sp);
        ExecContext ctx = context(params);
        ex.context = ctx;
        beginRun();
        try {
            switch (plan) {
                case StatementPlan.Query q -> {
                    ex.source = QueryExecutor.open(q.root(), ctx);
                    ex.tagPrefix = "SELECT ";
                }
                case StatementPlan.Insert i -> {
                    DmlExecutor.Result r = DmlExecutor.insert(i, ctx);
                    ex.tag = "INSERT 0 " + r.count();
                    ex.buffered = r.returning().iterator();
                }
                case StatementPlan.Update u -> {
                    DmlExecutor.Result r = DmlExecutor.update(u, ctx);
                    ex.tag = "UPDATE " + r.count();
                    ex.buffered = r.returning().iterator();
                }
                case StatementPlan.Delete d -> {
                    DmlExecutor.Result r = DmlExecutor.delete(d, ctx);
                    ex.tag = "DELETE " + r.count();
                    ex.buffered = r.returning().iterator();
                }
                case StatementPlan.Ddl d -> {
                    ex.tag = ddl(d.statement());
                    ex.buffered = java.util.Collections.emptyIterator();
                    ddlInTransaction = true;
                }
            }
            return ex;
        } catch (SqlException | RuntimeException e) {
            throw statementFailed(e, ex, sp);
        } finally {
            endRun();
        }
    }

    private ExecContext context(List<Object> params) {
        DatabaseTransaction t = txn;
        return new ExecContext(t, params, transactionTimestamp, this::sessionValue, () -> cancelReason,
                this::currentCatalog, startup.user(), startup.database());
    }

    private String sessionValue(String name) {
        return switch (name) {
            case "version" -> "PostgreSQL " + SessionSettings.SERVER_VERSION + " on x86_64-pc-linux-gnu, cacdb";
            case "current_user" -> startup.user();
            case "current_database" -> startup.database();
            case "current_schema" -> "public";
            default -> name.startsWith("setting:") ? settings.get(name.substring("setting:".length())) : null;
        };
    }

    /** Sends up to {@code maxRows} rows (0: all) of a started statement. */
    private ExecuteOutcome fetch(Execution ex, int maxRows, RowSink sink) throws SqlException {
        if (ex == null) {
            return ExecuteOutcome.EMPTY_QUERY;
        }
        if (ex.done) {
            return ExecuteOutcome.completed(ex.tag);
        }
        if (ex.source != null && ex.transaction != txn) {
            ex.close();
            throw new SqlException(SqlState.of("55000"), "the portal's transaction has ended");
        }
        if (ex.source == null) {
            int sent = 0;
            while (ex.buffered.hasNext()) {
                if (maxRows > 0 && sent == maxRows) {
                    return ExecuteOutcome.SUSPENDED;
                }
                sink.row(Arrays.asList(ex.buffered.next()));
                sent++;
            }
            ex.done = true;
            return ExecuteOutcome.completed(ex.tag);
        }
        beginRun();
        try {
            int sent = 0;
            while (maxRows == 0 || sent < maxRows) {
                if (!ex.source.next()) {
                    ex.close();
                    ex.done = true;
                    ex.tag = ex.tagPrefix + ex.rows;
                    return ExecuteOutcome.completed(ex.tag);
                }
                sink.row(Arrays.asList(ex.source.row()));
                sent++;
                ex.rows++;
            }
            return ExecuteOutcome.SUSPENDED;
        } catch (SqlException | RuntimeException e) {
            throw statementFailed(e, ex, ex.savepoint);
        } finally {
            endRun();
        }
    }

    private void beginRun() {
        cancelReason = null;
        runningTxn = txn;
        running = true;
        long ms = 0;
        try {
            ms = SessionSettings.millis("statement_timeout", settings.get("statement_timeout"));
        } catch (SqlException e) {
            log.debug("statement_timeout {} unreadable, ignored", settings.get("statement_timeout"));
        }
        if (ms > 0) {
            timeout = backend.timeouts().schedule(this::timeoutFired, ms, TimeUnit.MILLISECONDS);
        }
    }

    private void endRun() {
        running = false;
        runningTxn = null;
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    /** The last error whose transaction rule was applied (so an error passing several layers is handled once). */
    private SqlException handled;

    /**
     * Any error of a statement (parse, bind, plan, execute, commit): applies the block's rule once, returns the error
     * to throw. PostgreSQL aborts a transaction block for every error, a syntax error included.
     */
    private SqlException failure(Throwable t) {
        if (t == handled) {
            return handled;
        }
        return statementFailed(t, null, null);
    }

    /**
     * A statement failed: undo it and apply the block's rule (implicit: roll back; explicit: fail the block). Returns
     * the error to throw.
     */
    private SqlException statementFailed(Throwable t, Execution ex, DatabaseTransaction.StatementSavepoint sp) {
        SqlException e = EngineErrors.toSql(t);
        String reason = cancelReason;
        if (reason != null && e.sqlState().equals(SqlState.QUERY_CANCELED)) {
            e = new SqlException(SqlState.QUERY_CANCELED, reason);
        }
        if (ex != null) {
            try {
                ex.close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
        }
        handled = e;
        if (failed) {
            return e; // the block failed earlier; this statement (refused with 25P02) changed nothing
        }
        if (block == Block.EXPLICIT) {
            failed = true;
        }
        if (txn == null) {
            if (block != Block.EXPLICIT) {
                block = Block.NONE;
                resetBlockCharacteristics();
            }
            return e;
        }
        if (block == Block.EXPLICIT) {
            failed = true;
            if (savepoints.isEmpty() || sp == null) {
                abandonTransaction(e);
            } else {
                try {
                    txn.rollbackTo(sp);
                } catch (RuntimeException undoFailure) {
                    e.addSuppressed(undoFailure);
                    abandonTransaction(e);
                }
            }
        } else {
            abandonTransaction(e);
            block = Block.NONE;
            resetBlockCharacteristics();
        }
        return e;
    }

    private void abandonTransaction(SqlException cause) {
        DatabaseTransaction t = txn;
        txn = null;
        savepoints.clear();
        ddlInTransaction = false;
        try {
            t.rollback();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            log.warn("rollback after a failed statement failed", e);
        }
    }

    private void ensureTransaction(boolean readOnlyStatement) throws SqlException {
        if (txn != null) {
            return;
        }
        IsolationMode iso = blockIsolation != null ? blockIsolation
                : IsolationMode.fromSetting(settings.get("default_transaction_isolation"));
        boolean readOnly = blockReadOnly != null ? blockReadOnly
                : SessionSettings.bool("default_transaction_read_only", settings.get("default_transaction_read_only"));
        try {
            txn = db.begin(iso.engineLevel(), readOnly);
        } catch (RuntimeException e) {
            throw EngineErrors.toSql(e);
        }
        transactionTimestamp = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        if (block == Block.NONE) {
            block = Block.IMPLICIT;
        }
    }

    private void commitImplicit() throws SqlException {
        DatabaseTransaction t = txn;
        block = Block.NONE;
        resetBlockCharacteristics();
        txn = null;
        savepoints.clear();
        if (t != null) {
            commit(t);
        }
    }

    private void commit(DatabaseTransaction t) throws SqlException {
        boolean ddl = ddlInTransaction;
        ddlInTransaction = false;
        try {
            t.commit();
        } catch (RuntimeException e) {
            throw EngineErrors.toSql(e);
        }
        if (ddl) {
            backend.plans().invalidateAll();
        }
    }

    private void resetBlockCharacteristics() {
        blockIsolation = null;
        blockReadOnly = null;
    }

    // ------------------------------------------------------------------------------------------------ portals

    private final class Portal implements SqlPortal {
        private final Prepared statement;
        private final List<Object> parameters;
        private Execution execution;
        private boolean started;

        Portal(Prepared statement, List<Object> parameters) {
            this.statement = statement;
            this.parameters = parameters;
        }

        @Override
        public Optional<RowDescription> rowDescription() {
            return Optional.ofNullable(statement.description);
        }

        @Override
        public ExecuteOutcome execute(int maxRows, RowSink sink) throws SqlException {
            try {
                if (!started) {
                    started = true;
                    if (statement.kind == Kind.EMPTY) {
                        return ExecuteOutcome.EMPTY_QUERY;
                    }
                    execution = start(statement, parameters);
                }
                return fetch(execution, maxRows, sink);
            } catch (SqlException | RuntimeException e) {
                throw failure(e);
            }
        }

        @Override
        public void close() {
            if (execution != null) {
                execution.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ utility

    private Execution utility(UtilityStatement u) throws SqlException {
        if (failed && !(u instanceof UtilityStatement.Rollback || u instanceof UtilityStatement.Commit
                || u instanceof UtilityStatement.RollbackToSavepoint)) {
            requireNotFailed();
        }
        switch (u) {
            case UtilityStatement.Begin b -> {
                if (block == Block.EXPLICIT) {
                    events.notice(SqlNotice.warning(SqlState.ACTIVE_SQL_TRANSACTION,
                            "there is already a transaction in progress"));
                } else {
                    block = Block.EXPLICIT;
                    if (b.isolation() != null) {
                        blockIsolation = b.isolation();
                    }
                    if (b.readOnly() != null) {
                        blockReadOnly = b.readOnly();
                    }
                }
                return finished("BEGIN", null, List.of());
            }
            case UtilityStatement.Commit c -> {
                if (failed) {
                    rollbackBlock();
                    return finished("ROLLBACK", null, List.of());
                }
                if (block == Block.NONE) {
                    events.notice(SqlNotice.warning(SqlState.NO_ACTIVE_SQL_TRANSACTION,
                            "there is no transaction in progress"));
                }
                DatabaseTransaction t = txn;
                txn = null;
                block = Block.NONE;
                savepoints.clear();
                resetBlockCharacteristics();
                if (t != null) {
                    commit(t);
                }
                return finished("COMMIT", null, List.of());
            }
            case UtilityStatement.Rollback r -> {
                if (block == Block.NONE && !failed) {
                    events.notice(SqlNotice.warning(SqlState.NO_ACTIVE_SQL_TRANSACTION,
                            "there is no transaction in progress"));
                }
                rollbackBlock();
                return finished("ROLLBACK", null, List.of());
            }
            case UtilityStatement.Savepoint s -> {
                requireBlock("SAVEPOINT");
                ensureTransaction(false);
                try {
                    savepoints.add(new NamedSavepoint(s.name(), txn.savepoint()));
                } catch (RuntimeException e) {
                    throw statementFailed(e, null, null);
                }
                return finished("SAVEPOINT", null, List.of());
            }
            case UtilityStatement.ReleaseSavepoint s -> {
                requireBlock("RELEASE SAVEPOINT");
                int i = findSavepoint(s.name());
                savepoints.subList(i, savepoints.size()).clear();
                return finished("RELEASE", null, List.of());
            }
            case UtilityStatement.RollbackToSavepoint s -> {
                requireBlock("ROLLBACK TO SAVEPOINT");
                int i = findSavepoint(s.name());
                if (txn == null) {
                    throw new SqlException(SqlState.IN_FAILED_SQL_TRANSACTION,
                            "current transaction is aborted, commands ignored until end of transaction block");
                }
                try {
                    txn.rollbackTo(savepoints.get(i).savepoint());
                } catch (RuntimeException e) {
                    throw EngineErrors.toSql(e);
                }
                savepoints.subList(i + 1, savepoints.size()).clear();
                failed = false;
                return finished("ROLLBACK", null, List.of());
            }
            case UtilityStatement.SetTransaction st -> {
                if (st.sessionDefault()) {
                    if (st.isolation() != null) {
                        settings.set("default_transaction_isolation", st.isolation().sqlName());
                    }
                    if (st.readOnly() != null) {
                        settings.set("default_transaction_read_only", st.readOnly() ? "on" : "off");
                        events.parameterStatus("default_transaction_read_only",
                                settings.get("default_transaction_read_only"));
                    }
                } else {
                    setTransaction(st.isolation(), st.readOnly());
                }
                return finished("SET", null, List.of());
            }
            case UtilityStatement.Set s -> {
                set(s.name(), s.values());
                return finished("SET", null, List.of());
            }
            case UtilityStatement.Reset r -> {
                if (r.name() == null) {
                    for (Map.Entry<String, String> e : settings.all()) {
                        resetQuietly(e.getKey());
                    }
                } else {
                    set(r.name(), null);
                }
                return finished("RESET", null, List.of());
            }
            case UtilityStatement.Show s -> {
                RowDescription d;
                List<Object[]> rows = new ArrayList<>();
                if (s.name().equals("all")) {
                    d = new RowDescription(List.of(new Column("name", PgType.TEXT), new Column("setting", PgType.TEXT),
                            new Column("description", PgType.TEXT)));
                    for (Map.Entry<String, String> e : settings.all()) {
                        rows.add(new Object[] {e.getKey(), show(e.getKey()), ""});
                    }
                } else {
                    String v = show(s.name());
                    if (v == null) {
                        throw new SqlException(SqlState.UNDEFINED_OBJECT, "unrecognized configuration parameter \""
                                + s.name() + "\"");
                    }
                    d = new RowDescription(List.of(new Column(SessionSettings.displayName(s.name()).toLowerCase(),
                            PgType.TEXT)));
                    rows.add(new Object[] {v});
                }
                return finished("SHOW", d, rows);
            }
            case UtilityStatement.Explain e -> {
                return explain(e);
            }
        }
    }

    private void resetQuietly(String name) {
        try {
            set(name, null);
        } catch (SqlException e) {
            log.trace("RESET ALL skips read-only parameter {}", name);
        }
    }

    private String show(String name) {
        String k = name.toLowerCase();
        return switch (k) {
            case "transaction_isolation" -> blockIsolation != null ? blockIsolation.sqlName()
                    : txn != null && txn.isolation() == io.cacdb.engine.lock.IsolationLevel.SERIALIZABLE
                            && settings.get("default_transaction_isolation").equals("read committed")
                            ? "serializable" : settings.get("default_transaction_isolation");
            case "transaction_read_only" -> txn != null ? (txn.isReadOnly() ? "on" : "off")
                    : blockReadOnly != null ? (blockReadOnly ? "on" : "off")
                    : settings.get("default_transaction_read_only");
            default -> settings.get(k);
        };
    }

    private void set(String name, List<String> values) throws SqlException {
        String k = name.toLowerCase();
        String value = values == null ? null : String.join(", ", values);
        if (k.equals("transaction_isolation")) {
            setTransaction(value == null ? null : IsolationMode.fromSetting(value), null);
            if (value != null && IsolationMode.fromSetting(value) == null) {
                throw new SqlException(SqlState.INVALID_PARAMETER_VALUE, "invalid value for parameter"
                        + " \"transaction_isolation\": \"" + value + "\"");
            }
            return;
        }
        if (k.equals("transaction_read_only")) {
            setTransaction(null, value == null ? null : SessionSettings.bool(name, value));
            return;
        }
        settings.set(name, value);
        if (SessionSettings.isReported(name)) {
            events.parameterStatus(SessionSettings.displayName(name), settings.get(name));
        }
    }

    private void setTransaction(IsolationMode isolation, Boolean readOnly) throws SqlException {
        if (txn != null && isolation != null) {
            throw new SqlException(SqlState.ACTIVE_SQL_TRANSACTION,
                    "SET TRANSACTION ISOLATION LEVEL must be called before any query");
        }
        if (block != Block.EXPLICIT) {
            events.notice(SqlNotice.warning(SqlState.NO_ACTIVE_SQL_TRANSACTION,
                    "SET TRANSACTION can only be used in transaction blocks"));
            return;
        }
        if (isolation != null) {
            blockIsolation = isolation;
        }
        if (readOnly != null) {
            blockReadOnly = readOnly;
        }
    }

    private void requireBlock(String what) throws SqlException {
        if (block != Block.EXPLICIT) {
            throw new SqlException(SqlState.NO_ACTIVE_SQL_TRANSACTION, what + " can only be used in transaction blocks");
        }
    }

    private int findSavepoint(String name) throws SqlException {
        for (int i = savepoints.size() - 1; i >= 0; i--) {
            if (savepoints.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new SqlException(SqlState.of("3B001"), "savepoint \"" + name + "\" does not exist");
    }

    private void rollbackBlock() throws SqlException {
        DatabaseTransaction t = txn;
        txn = null;
        block = Block.NONE;
        failed = false;
        savepoints.clear();
        ddlInTransaction = false;
        resetBlockCharacteristics();
        if (t != null) {
            try {
                t.rollback();
            } catch (RuntimeException e) {
                throw EngineErrors.toSql(e);
            }
        }
    }

    private Execution explain(UtilityStatement.Explain e) throws SqlException {
        requireNotFailed();
        StatementText inner = e.statement();
        if (SqlParser.utility(inner).isPresent()) {
            return finished("EXPLAIN", new RowDescription(List.of(new Column("QUERY PLAN", PgType.TEXT))),
                    List.<Object[]>of(new Object[] {"Utility Statement"}));
        }
        PlanCache.Planned planned = plan(inner, List.of(), currentCatalog());
        List<Object[]> rows = new ArrayList<>();
        for (String line : PlanPrinter.lines(planned.plan())) {
            rows.add(new Object[] {line});
        }
        return finished("EXPLAIN", new RowDescription(List.of(new Column("QUERY PLAN", PgType.TEXT))), rows);
    }

    // ------------------------------------------------------------------------------------------------ DDL

    private String ddl(BoundStatement s) throws SqlException {
        CatalogSnapshot catalog = txn.catalog();
        switch (s) {
            case BoundStatement.CreateTable c -> {
                if (c.ifNotExists() && catalog.relation(c.spec().name()).isPresent()) {
                    events.notice(new SqlNotice(io.cacdb.server.session.Severity.NOTICE, SqlState.DUPLICATE_TABLE,
                            "relation \"" + c.spec().name() + "\" already exists, skipping", null, null));
                } else {
                    txn.createTable(c.spec());
                }
                return "CREATE TABLE";
            }
            case BoundStatement.CreateIndex c -> {
                if (c.ifNotExists() && catalog.relation(c.spec().name()).isPresent()) {
                    events.notice(new SqlNotice(io.cacdb.server.session.Severity.NOTICE, SqlState.DUPLICATE_TABLE,
                            "relation \"" + c.spec().name() + "\" already exists, skipping", null, null));
                } else {
                    txn.createIndex(c.spec());
                }
                return "CREATE INDEX";
            }
            case BoundStatement.DropTables d -> {
                for (String name : d.names()) {
                    if (txn.catalog().table(name).isEmpty()) {
                        if (d.ifExists()) {
                            events.notice(new SqlNotice(io.cacdb.server.session.Severity.NOTICE,
                                    SqlState.SUCCESSFUL_COMPLETION, "table \"" + name + "\" does not exist, skipping",
                                    null, null));
                            continue;
                        }
                        throw new SqlException(SqlState.UNDEFINED_TABLE, "table \"" + name + "\" does not exist");
                    }
                    txn.dropTable(name);
                }
                return "DROP TABLE";
            }
            case BoundStatement.DropIndexes d -> {
                for (String name : d.names()) {
                    if (txn.catalog().index(name).isEmpty()) {
                        if (d.ifExists()) {
                            events.notice(new SqlNotice(io.cacdb.server.session.Severity.NOTICE,
                                    SqlState.SUCCESSFUL_COMPLETION, "index \"" + name + "\" does not exist, skipping",
                                    null, null));
                            continue;
                        }
                        throw new SqlException(SqlState.UNDEFINED_OBJECT, "index \"" + name + "\" does not exist");
                    }
                    txn.dropIndex(name);
                }
                return "DROP INDEX";
            }
            case BoundStatement.Truncate t -> {
                for (String name : t.tables()) {
                    txn.truncate(name);
                }
                return "TRUNCATE TABLE";
            }
            default -> throw new IllegalStateException("not a DDL statement: " + s);
        }
    }
}
