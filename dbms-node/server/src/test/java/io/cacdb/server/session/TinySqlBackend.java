package io.cacdb.server.session;

import io.cacdb.server.pgwire.PgValueCodec;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stand-in for the SQL layer, with real logic of its own, just enough to drive the protocol server in tests: an
 * in-memory table engine shared by all sessions (no isolation: one lock, changes visible at once, undone on
 * rollback), with transactions (explicit blocks, the implicit transaction of a simple-query string or of an
 * extended-query pipeline up to Sync, the failed state until ROLLBACK), parameter inference and assignment casts.
 * Parsing is a tokenizer plus string matching; the real SQL layer replaces all of this behind the same seam.
 *
 * <p>Understands: {@code SELECT <expr> [AS a], ...} (literals, {@code $n}, {@code ::type}); {@code SELECT * | count(*)
 * FROM t [WHERE c = e]}; {@code CREATE TABLE [IF NOT EXISTS] t (c type ..., ...)}; {@code DROP TABLE [IF EXISTS] t};
 * {@code INSERT INTO t VALUES (...), (...)}; {@code UPDATE t SET c = e, ... [WHERE c = e]}; {@code DELETE FROM t [WHERE
 * c = e]}; {@code BEGIN}/{@code START TRANSACTION}/{@code COMMIT}/{@code END}/{@code ROLLBACK}/{@code ABORT};
 * {@code SET}/{@code SHOW}; and test functions {@code SELECT cacdb_fail('SQLSTATE')} (fails with that code, a detail,
 * a hint and a position), {@code SELECT cacdb_sleep()} (blocks until cancelled), {@code SELECT cacdb_notice('text')},
 * {@code SELECT cacdb_generate(n)} (rows 1..n).
 */
public final class TinySqlBackend implements SqlBackend {

    /** Longest a cacdb_sleep() waits if nobody cancels it: a test that forgets to cancel must still end. */
    static final long SLEEP_LIMIT_SECONDS = 60;

    private volatile boolean inHotStandby;
    private volatile boolean readOnly;
    private final ReentrantLock dbLock = new ReentrantLock();
    private final Map<String, Table> tables = new ConcurrentHashMap<>();
    private final AtomicInteger nextTableOid = new AtomicInteger(16_384);
    private final AtomicInteger sleeping = new AtomicInteger();
    private final ReentrantLock sleepersLock = new ReentrantLock();
    private final Condition sleepersChanged = sleepersLock.newCondition();
    private final AtomicInteger openSessions = new AtomicInteger();

    /** The node's role as the backend reports it: a standby reports in_hot_standby = on. */
    public TinySqlBackend hotStandby(boolean on) {
        this.inHotStandby = on;
        return this;
    }

    /** default_transaction_read_only = on: writes fail with 25006. */
    public TinySqlBackend readOnly(boolean on) {
        this.readOnly = on;
        return this;
    }

    /** Sessions blocked in cacdb_sleep() right now. */
    public int sleepingStatements() {
        return sleeping.get();
    }

    /** Waits (bounded) until at least {@code n} sessions are blocked in cacdb_sleep(); false on timeout. */
    public boolean awaitSleeping(int n, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        sleepersLock.lock();
        try {
            while (sleeping.get() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                sleepersChanged.awaitNanos(left);
            }
            return true;
        } finally {
            sleepersLock.unlock();
        }
    }

    private void sleepersChanged() {
        sleepersLock.lock();
        try {
            sleepersChanged.signalAll();
        } finally {
            sleepersLock.unlock();
        }
    }

    public int openSessions() {
        return openSessions.get();
    }

    @Override
    public SqlSession openSession(SessionStartup startup, SessionEvents events) throws SqlException {
        if (startup.database().equals("nosuchdb")) {
            throw new SqlException(SqlState.of("3D000"), Severity.FATAL,
                    "database \"" + startup.database() + "\" does not exist", null, null, 0, null);
        }
        openSessions.incrementAndGet();
        return new Session(startup, events);
    }

    // ------------------------------------------------------------------------------------------------ catalog

    record ColumnDef(String name, PgType type, int typeModifier) {
    }

    static final class Table {
        final String name;
        final int oid;
        final List<ColumnDef> columns;
        final List<Object[]> rows = new ArrayList<>();

        Table(String name, int oid, List<ColumnDef> columns) {
            this.name = name;
            this.oid = oid;
            this.columns = List.copyOf(columns);
        }

        int column(String column) throws SqlException {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(column)) {
                    return i;
                }
            }
            throw new SqlException(SqlState.UNDEFINED_COLUMN, "column \"" + column + "\" does not exist");
        }

        RowDescription description() {
            List<Column> cols = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                ColumnDef c = columns.get(i);
                cols.add(new Column(c.name(), c.type(), c.typeModifier(), oid, (short) (i + 1)));
            }
            return new RowDescription(cols);
        }
    }

    private Table table(String name) throws SqlException {
        Table t = tables.get(name);
        if (t == null) {
            throw new SqlException(SqlState.UNDEFINED_TABLE, "relation \"" + name + "\" does not exist");
        }
        return t;
    }

    // ------------------------------------------------------------------------------------------------ statements

    /** An expression: a literal of a type, or a parameter (cast to a type or not). */
    sealed interface Expr {
    }

    record Literal(Object value, PgType type) implements Expr {
    }

    record Param(int index, PgType cast) implements Expr {
    }

    record Where(String column, Expr value) {
    }

    sealed interface Ast {
    }

    record SelectItems(List<Expr> exprs, List<String> labels) implements Ast {
    }

    record SelectFrom(String table, boolean count, Where where) implements Ast {
    }

    record Insert(String table, List<List<Expr>> rows) implements Ast {
    }

    record Update(String table, List<String> columns, List<Expr> values, Where where) implements Ast {
    }

    record Delete(String table, Where where) implements Ast {
    }

    record CreateTable(String name, List<ColumnDef> columns, boolean ifNotExists) implements Ast {
    }

    record DropTable(String name, boolean ifExists) implements Ast {
    }

    record Begin() implements Ast {
    }

    record Commit() implements Ast {
    }

    record Rollback() implements Ast {
    }

    record Set(String name, String value) implements Ast {
    }

    record Show(String name) implements Ast {
    }

    record Fail(String sqlState, int position) implements Ast {
    }

    record Sleep() implements Ast {
    }

    record Notice(String text) implements Ast {
    }

    record Generate(Expr count) implements Ast {
    }

    record Empty() implements Ast {
    }

    static Ast parse(String sql) throws SqlException {
        SqlTokens t = new SqlTokens(sql);
        if (t.atEnd() || t.peek().is(";")) {
            t.accept(";");
            t.expectEnd();
            return new Empty();
        }
        Ast ast;
        if (t.accept("select")) {
            ast = select(t);
        } else if (t.accept("insert")) {
            t.expect("into");
            String table = t.identifier();
            t.expect("values");
            List<List<Expr>> rows = new ArrayList<>();
            do {
                t.expect("(");
                List<Expr> row = new ArrayList<>();
                do {
                    row.add(expr(t));
                } while (t.accept(","));
                t.expect(")");
                rows.add(row);
            } while (t.accept(","));
            ast = new Insert(table, rows);
        } else if (t.accept("update")) {
            String table = t.identifier();
            t.expect("set");
            List<String> cols = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            do {
                cols.add(t.identifier());
                t.expect("=");
                values.add(expr(t));
            } while (t.accept(","));
            ast = new Update(table, cols, values, where(t));
        } else if (t.accept("delete")) {
            t.expect("from");
            String table = t.identifier();
            ast = new Delete(table, where(t));
        } else if (t.accept("create")) {
            t.expect("table");
            boolean ifNotExists = false;
            if (t.accept("if")) {
                t.expect("not");
                t.expect("exists");
                ifNotExists = true;
            }
            String name = t.identifier();
            t.expect("(");
            List<ColumnDef> cols = new ArrayList<>();
            do {
                String col = t.identifier();
                ColumnDef def = type(t, col);
                while (!t.peek().is(",") && !t.peek().is(")") && !t.atEnd()) {
                    t.next(); // constraints (NOT NULL, PRIMARY KEY, DEFAULT NULL) are accepted and ignored
                }
                cols.add(def);
            } while (t.accept(","));
            t.expect(")");
            ast = new CreateTable(name, cols, ifNotExists);
        } else if (t.accept("drop")) {
            t.expect("table");
            boolean ifExists = false;
            if (t.accept("if")) {
                t.expect("exists");
                ifExists = true;
            }
            String name = t.identifier();
            t.accept("cascade");
            ast = new DropTable(name, ifExists);
        } else if (t.accept("begin") || (t.accept("start") && expectThen(t, "transaction"))) {
            t.accept("transaction");
            t.accept("work");
            ast = new Begin();
        } else if (t.accept("commit") || t.accept("end")) {
            t.accept("transaction");
            t.accept("work");
            ast = new Commit();
        } else if (t.accept("rollback") || t.accept("abort")) {
            t.accept("transaction");
            t.accept("work");
            ast = new Rollback();
        } else if (t.accept("set")) {
            if (t.accept("session")) {
                if (t.accept("characteristics")) {
                    return new Set("session_characteristics", skipRest(t));
                }
            } else if (t.accept("transaction")) {
                return new Set("transaction", skipRest(t));
            }
            t.accept("local");
            String name = t.identifier();
            if (!t.accept("=") && !t.accept("to")) {
                throw t.unexpected();
            }
            return new Set(name, skipRest(t));
        } else if (t.accept("show")) {
            ast = new Show(t.identifier());
        } else {
            throw t.unexpected();
        }
        t.expectEnd();
        return ast;
    }

    private static boolean expectThen(SqlTokens t, String word) throws SqlException {
        if (!t.peek().is(word)) {
            throw t.unexpected();
        }
        return true;
    }

    private static String skipRest(SqlTokens t) {
        StringBuilder sb = new StringBuilder();
        while (!t.atEnd() && !t.peek().is(";")) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(t.next().text());
        }
        return sb.toString();
    }

    private static Where where(SqlTokens t) throws SqlException {
        if (!t.accept("where")) {
            return null;
        }
        String col = t.identifier();
        t.expect("=");
        return new Where(col, expr(t));
    }

    private static Ast select(SqlTokens t) throws SqlException {
        if (t.accept("*")) {
            t.expect("from");
            String table = t.identifier();
            return new SelectFrom(table, false, where(t));
        }
        if (t.peek().is("count") && t.peek(1).is("(") && t.peek(2).is("*")) {
            t.next();
            t.next();
            t.next();
            t.expect(")");
            t.expect("from");
            String table = t.identifier();
            return new SelectFrom(table, true, where(t));
        }
        SqlTokens.Token head = t.peek();
        if (head.text().startsWith("cacdb_") && t.peek(1).is("(")) {
            t.next();
            t.next();
            Ast ast = switch (head.text()) {
                case "cacdb_fail" -> {
                    SqlTokens.Token code = t.next();
                    yield new Fail(code.text(), head.position());
                }
                case "cacdb_sleep" -> new Sleep();
                case "cacdb_notice" -> new Notice(t.next().text());
                case "cacdb_generate" -> new Generate(expr(t));
                default -> throw new SqlException(SqlState.of("42883"), Severity.ERROR,
                        "function " + head.text() + " does not exist", null, null, head.position(), null);
            };
            t.expect(")");
            return ast;
        }
        List<Expr> exprs = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        do {
            exprs.add(expr(t));
            labels.add(t.accept("as") ? t.identifier() : "?column?");
        } while (t.accept(","));
        return new SelectItems(exprs, labels);
    }

    private static Expr expr(SqlTokens t) throws SqlException {
        if (t.accept("(")) { // pgjdbc's simple mode inlines parameters as ('v'::type)
            Expr inner = expr(t);
            t.expect(")");
            return cast(t, inner);
        }
        boolean negative = t.accept("-");
        SqlTokens.Token tok = t.next();
        Expr e = switch (tok.kind()) {
            case NUMBER -> {
                String text = negative ? "-" + tok.text() : tok.text();
                if (tok.text().contains(".") || tok.text().contains("e") || tok.text().contains("E")) {
                    yield new Literal(PgValueCodec.decodeText(PgType.NUMERIC, text), PgType.NUMERIC);
                }
                BigDecimal v = new BigDecimal(text);
                if (v.compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) >= 0
                        && v.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0) {
                    yield new Literal(v.intValueExact(), PgType.INT4);
                }
                if (v.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0
                        && v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
                    yield new Literal(v.longValueExact(), PgType.INT8);
                }
                yield new Literal(v, PgType.NUMERIC);
            }
            case STRING -> new Literal(tok.text(), PgType.UNKNOWN);
            case PARAM -> new Param(Integer.parseInt(tok.text()), null);
            case WORD -> switch (tok.text()) {
                case "true" -> new Literal(true, PgType.BOOL);
                case "false" -> new Literal(false, PgType.BOOL);
                case "null" -> new Literal(null, PgType.UNKNOWN);
                default -> throw new SqlException(SqlState.UNDEFINED_COLUMN, Severity.ERROR,
                        "column \"" + tok.text() + "\" does not exist", null, null, tok.position(), null);
            };
            default -> throw SqlTokens.syntax("syntax error at or near \"" + tok.text() + "\"", tok.position());
        };
        if (negative && !(e instanceof Literal l && l.type() != PgType.UNKNOWN)) {
            throw SqlTokens.syntax("syntax error at or near \"-\"", tok.position());
        }
        return cast(t, e);
    }

    private static Expr cast(SqlTokens t, Expr e) throws SqlException {
        while (t.accept("::")) {
            PgType cast = type(t, "").type();
            e = switch (e) {
                case Literal l -> new Literal(coerce(l.value(), cast, 0), cast);
                case Param p -> new Param(p.index(), cast);
            };
        }
        return e;
    }

    private static ColumnDef type(SqlTokens t, String column) throws SqlException {
        SqlTokens.Token tok = t.next();
        String name = tok.text();
        int typmod = -1;
        PgType type = switch (name) {
            case "int", "integer", "int4", "serial" -> PgType.INT4;
            case "bigint", "int8", "bigserial" -> PgType.INT8;
            case "smallint", "int2" -> PgType.INT2;
            case "real", "float4" -> PgType.FLOAT4;
            case "float", "float8" -> PgType.FLOAT8;
            case "double" -> {
                t.expect("precision");
                yield PgType.FLOAT8;
            }
            case "numeric", "decimal" -> PgType.NUMERIC;
            case "text" -> PgType.TEXT;
            case "varchar" -> PgType.VARCHAR;
            case "char", "bpchar" -> PgType.BPCHAR;
            case "character" -> t.accept("varying") ? PgType.VARCHAR : PgType.BPCHAR;
            case "bool", "boolean" -> PgType.BOOL;
            case "date" -> PgType.DATE;
            case "timestamptz" -> PgType.TIMESTAMPTZ;
            case "timestamp" -> {
                if (t.accept("with")) {
                    t.expect("time");
                    t.expect("zone");
                    yield PgType.TIMESTAMPTZ;
                }
                if (t.accept("without")) {
                    t.expect("time");
                    t.expect("zone");
                }
                yield PgType.TIMESTAMP;
            }
            default -> throw new SqlException(SqlState.UNDEFINED_OBJECT, Severity.ERROR,
                    "type \"" + name + "\" does not exist", null, null, tok.position(), null);
        };
        if (t.accept("(")) {
            int a = Integer.parseInt(t.next().text());
            int b = 0;
            if (t.accept(",")) {
                b = Integer.parseInt(t.next().text());
            }
            t.expect(")");
            typmod = type == PgType.NUMERIC ? Column.numeric(a, b) : Column.varchar(a);
        } else if (type == PgType.BPCHAR && name.startsWith("char")) {
            typmod = Column.varchar(1);
        }
        return new ColumnDef(column, type, typmod);
    }

    /** An assignment cast to {@code type} (with the column's typmod), PostgreSQL-like enough for the tests. */
    static Object coerce(Object v, PgType type, int typmod) throws SqlException {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            Object parsed = PgValueCodec.decodeText(type, s);
            return type == PgType.BPCHAR || type == PgType.VARCHAR ? fitString((String) parsed, type, typmod)
                    : parsed;
        }
        return switch (type) {
            case INT2, INT4, INT8 -> {
                BigDecimal d = v instanceof Number n && !(n instanceof BigDecimal) && !(n instanceof Double)
                        && !(n instanceof Float) ? BigDecimal.valueOf(n.longValue()) : decimal(v);
                BigDecimal r = d.setScale(0, RoundingMode.HALF_EVEN);
                long min = type == PgType.INT2 ? Short.MIN_VALUE : type == PgType.INT4 ? Integer.MIN_VALUE
                        : Long.MIN_VALUE;
                long max = type == PgType.INT2 ? Short.MAX_VALUE : type == PgType.INT4 ? Integer.MAX_VALUE
                        : Long.MAX_VALUE;
                if (r.compareTo(BigDecimal.valueOf(min)) < 0 || r.compareTo(BigDecimal.valueOf(max)) > 0) {
                    throw new SqlException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, type.name().toLowerCase(Locale.ROOT)
                            + " out of range");
                }
                yield type == PgType.INT2 ? (Object) r.shortValue() : type == PgType.INT4 ? (Object) r.intValue()
                        : (Object) r.longValue();
            }
            case NUMERIC -> {
                BigDecimal d = decimal(v);
                if (typmod >= 4) {
                    d = d.setScale((typmod - 4) & 0xFFFF, RoundingMode.HALF_UP);
                }
                yield d;
            }
            case FLOAT4 -> decimalOrFloat(v).floatValue();
            case FLOAT8 -> decimalOrFloat(v).doubleValue();
            case TEXT, VARCHAR, BPCHAR, UNKNOWN -> fitString(text(v), type, typmod);
            case BOOL -> {
                if (v instanceof Boolean) {
                    yield v;
                }
                throw mismatch(v, type);
            }
            case DATE -> switch (v) {
                case LocalDate d -> d;
                case LocalDateTime t -> t.toLocalDate();
                case OffsetDateTime t -> t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
                default -> throw mismatch(v, type);
            };
            case TIMESTAMP -> switch (v) {
                case LocalDateTime t -> t;
                case LocalDate d -> d.atStartOfDay();
                case OffsetDateTime t -> t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
                default -> throw mismatch(v, type);
            };
            case TIMESTAMPTZ -> switch (v) {
                case OffsetDateTime t -> t;
                case LocalDateTime t -> t.atOffset(ZoneOffset.UTC);
                case LocalDate d -> d.atStartOfDay().atOffset(ZoneOffset.UTC);
                default -> throw mismatch(v, type);
            };
        };
    }

    private static SqlException mismatch(Object v, PgType type) {
        return new SqlException(SqlState.DATATYPE_MISMATCH, "cannot assign a " + v.getClass().getSimpleName()
                + " to a column of type " + type.name().toLowerCase(Locale.ROOT));
    }

    private static BigDecimal decimal(Object v) throws SqlException {
        return switch (v) {
            case BigDecimal d -> d;
            case Double d -> new BigDecimal(Double.toString(d));
            case Float f -> new BigDecimal(Float.toString(f));
            case Number n -> BigDecimal.valueOf(n.longValue());
            default -> throw mismatch(v, PgType.NUMERIC);
        };
    }

    private static BigDecimal decimalOrFloat(Object v) throws SqlException {
        return decimal(v);
    }

    private static String text(Object v) {
        for (PgType t : PgType.values()) {
            if (t.javaType().isInstance(v) && t != PgType.UNKNOWN) {
                return PgValueCodec.toText(t, v);
            }
        }
        return v.toString();
    }

    private static String fitString(String s, PgType type, int typmod) throws SqlException {
        if (typmod < 4 || (type != PgType.VARCHAR && type != PgType.BPCHAR)) {
            return s;
        }
        int max = typmod - 4;
        if (s.length() > max) {
            throw new SqlException(SqlState.STRING_DATA_RIGHT_TRUNCATION, "value too long for type "
                    + (type == PgType.VARCHAR ? "character varying(" : "character(") + max + ")");
        }
        return type == PgType.BPCHAR ? s + " ".repeat(max - s.length()) : s;
    }

    // ------------------------------------------------------------------------------------------------ sessions

    /** A parsed statement with its inferred parameter types. */
    record TinyStatement(Ast ast, List<PgType> parameterTypes, Optional<RowDescription> rowDescription)
            implements SqlStatement {
        @Override
        public void close() {
        }
    }

    /** What running one statement produced. */
    record Result(RowDescription description, List<Object[]> rows, String tag) {
    }

    final class Session implements SqlSession {
        private final SessionStartup startup;
        private final SessionEvents events;
        private final Map<String, String> settings = new ConcurrentHashMap<>();
        private final List<Runnable> undo = new ArrayList<>();
        private TransactionStatus status = TransactionStatus.IDLE;
        private volatile boolean cancelRequested;
        private final ReentrantLock sleepLock = new ReentrantLock();
        private final Condition sleepWake = sleepLock.newCondition();
        private boolean closed;

        Session(SessionStartup startup, SessionEvents events) {
            this.startup = startup;
            this.events = events;
            settings.put("application_name", startup.parameters().getOrDefault("application_name", ""));
            settings.put("timezone", "UTC");
        }

        @Override
        public Map<String, String> parameterStatus() {
            return Map.of("in_hot_standby", inHotStandby ? "on" : "off",
                    "default_transaction_read_only", readOnly ? "on" : "off",
                    "is_superuser", startup.user().equals("postgres") ? "on" : "off");
        }

        @Override
        public TransactionStatus transactionStatus() {
            return status;
        }

        @Override
        public void simpleQuery(String sql, SimpleQuerySink sink) throws SqlException {
            List<String> statements = split(sql);
            if (statements.isEmpty()) {
                sink.emptyQuery();
                return;
            }
            try {
                for (String s : statements) {
                    Result r = run(parse(s), List.of());
                    if (r.description() != null) {
                        sink.rowDescription(r.description());
                        for (Object[] row : r.rows()) {
                            checkCancel();
                            sink.row(Arrays.asList(row));
                        }
                    }
                    sink.commandComplete(r.tag());
                }
                if (status == TransactionStatus.IDLE) {
                    undo.clear(); // the implicit transaction of the string commits
                }
            } catch (SqlException e) {
                failed();
                throw e;
            }
        }

        /** An error: an explicit block fails; an implicit transaction rolls back at once. */
        private void failed() {
            if (status == TransactionStatus.IN_TRANSACTION) {
                status = TransactionStatus.FAILED;
            } else if (status == TransactionStatus.IDLE) {
                rollback();
            }
        }

        private void rollback() {
            dbLock.lock();
            try {
                for (int i = undo.size() - 1; i >= 0; i--) {
                    undo.get(i).run();
                }
                undo.clear();
            } finally {
                dbLock.unlock();
            }
        }

        private void checkCancel() throws SqlException {
            if (cancelRequested) {
                cancelRequested = false;
                throw new SqlException(SqlState.QUERY_CANCELED, "canceling statement due to user request");
            }
        }

        @Override
        public SqlStatement prepare(String sql, List<PgType> declared) throws SqlException {
            try {
                Ast ast = parse(sql);
                checkFailedBlock(ast);
                PgType[] types = new PgType[Math.max(maxParam(ast), declared.size())];
                for (int i = 0; i < declared.size(); i++) {
                    types[i] = declared.get(i) == PgType.UNKNOWN ? null : declared.get(i);
                }
                infer(ast, types);
                for (int i = 0; i < types.length; i++) {
                    if (types[i] == null) {
                        types[i] = PgType.TEXT;
                    }
                }
                return new TinyStatement(ast, List.of(types), Optional.ofNullable(describe(ast)));
            } catch (SqlException e) {
                failed();
                throw e;
            }
        }

        @Override
        public SqlPortal bind(SqlStatement statement, List<Object> parameters) {
            Ast ast = ((TinyStatement) statement).ast();
            RowDescription description = statement.rowDescription().orElse(null);
            return new SqlPortal() {
                private Result result;
                private int position;

                @Override
                public Optional<RowDescription> rowDescription() {
                    return Optional.ofNullable(description);
                }

                @Override
                public ExecuteOutcome execute(int maxRows, RowSink sink) throws SqlException {
                    try {
                        if (ast instanceof Empty) {
                            return ExecuteOutcome.EMPTY_QUERY;
                        }
                        if (result == null) {
                            result = run(ast, parameters);
                        } else if (result.description() == null) {
                            return ExecuteOutcome.completed(result.tag());
                        }
                        if (result.description() == null) {
                            return ExecuteOutcome.completed(result.tag());
                        }
                        int sent = 0;
                        while (position < result.rows().size()) {
                            if (maxRows > 0 && sent == maxRows) {
                                return ExecuteOutcome.SUSPENDED;
                            }
                            checkCancel();
                            sink.row(Arrays.asList(result.rows().get(position++)));
                            sent++;
                        }
                        return ExecuteOutcome.completed("SELECT " + sent);
                    } catch (SqlException e) {
                        failed();
                        throw e;
                    }
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void sync() {
            if (status == TransactionStatus.IDLE) {
                undo.clear(); // the implicit transaction of the pipeline commits
            }
        }

        @Override
        public void cancel() {
            cancelRequested = true;
            sleepLock.lock();
            try {
                sleepWake.signalAll();
            } finally {
                sleepLock.unlock();
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            rollback();
            openSessions.decrementAndGet();
        }

        private void checkFailedBlock(Ast ast) throws SqlException {
            if (status == TransactionStatus.FAILED && !(ast instanceof Commit) && !(ast instanceof Rollback)) {
                throw new SqlException(SqlState.IN_FAILED_SQL_TRANSACTION,
                        "current transaction is aborted, commands ignored until end of transaction block");
            }
        }

        private void checkWritable(String what) throws SqlException {
            if (readOnly) {
                throw new SqlException(SqlState.READ_ONLY_SQL_TRANSACTION,
                        "cannot execute " + what + " in a read-only transaction");
            }
        }

        Result run(Ast ast, List<Object> params) throws SqlException {
            cancelRequested = false;
            checkFailedBlock(ast);
            switch (ast) {
                case Begin b -> {
                    if (status != TransactionStatus.IDLE) {
                        events.notice(SqlNotice.warning(SqlState.ACTIVE_SQL_TRANSACTION,
                                "there is already a transaction in progress"));
                    }
                    status = TransactionStatus.IN_TRANSACTION;
                    return new Result(null, null, "BEGIN");
                }
                case Commit c -> {
                    if (status == TransactionStatus.IDLE) {
                        events.notice(SqlNotice.warning(SqlState.NO_ACTIVE_SQL_TRANSACTION,
                                "there is no transaction in progress"));
                        return new Result(null, null, "COMMIT");
                    }
                    if (status == TransactionStatus.FAILED) {
                        rollback();
                        status = TransactionStatus.IDLE;
                        return new Result(null, null, "ROLLBACK");
                    }
                    undo.clear();
                    status = TransactionStatus.IDLE;
                    return new Result(null, null, "COMMIT");
                }
                case Rollback r -> {
                    if (status == TransactionStatus.IDLE) {
                        events.notice(SqlNotice.warning(SqlState.NO_ACTIVE_SQL_TRANSACTION,
                                "there is no transaction in progress"));
                    }
                    rollback();
                    status = TransactionStatus.IDLE;
                    return new Result(null, null, "ROLLBACK");
                }
                case Set s -> {
                    return set(s);
                }
                case Show s -> {
                    String value = show(s.name());
                    return new Result(new RowDescription(List.of(new Column(s.name(), PgType.TEXT))),
                            List.<Object[]>of(new Object[] {value}), "SHOW");
                }
                case Fail f -> throw new SqlException(SqlState.of(f.sqlState()), Severity.ERROR,
                        "failure requested: " + f.sqlState(), "the test asked for SQLSTATE " + f.sqlState(),
                        "this is what the hint looks like", f.position(), null);
                case Sleep s -> {
                    sleep();
                    return new Result(new RowDescription(List.of(new Column("cacdb_sleep", PgType.BOOL))),
                            List.<Object[]>of(new Object[] {true}), "SELECT 1");
                }
                case Notice n -> {
                    events.notice(SqlNotice.notice(n.text()));
                    return new Result(new RowDescription(List.of(new Column("cacdb_notice", PgType.TEXT))),
                            List.<Object[]>of(new Object[] {n.text()}), "SELECT 1");
                }
                case Generate g -> {
                    int count = (Integer) coerce(value(g.count(), params, PgType.INT4), PgType.INT4, -1);
                    List<Object[]> rows = new ArrayList<>(count);
                    for (int i = 1; i <= count; i++) {
                        rows.add(new Object[] {i});
                    }
                    return new Result(new RowDescription(List.of(new Column("n", PgType.INT4))), rows,
                            "SELECT " + count);
                }
                case SelectItems s -> {
                    RowDescription d = describe(s);
                    Object[] row = new Object[s.exprs().size()];
                    for (int i = 0; i < row.length; i++) {
                        row[i] = coerce(value(s.exprs().get(i), params, d.column(i).type()), d.column(i).type(), -1);
                    }
                    return new Result(d, List.<Object[]>of(row), "SELECT 1");
                }
                case Empty e -> {
                    return new Result(null, null, "");
                }
                default -> {
                    dbLock.lock();
                    try {
                        return runOnTables(ast, params);
                    } finally {
                        dbLock.unlock();
                    }
                }
            }
        }

        private Result runOnTables(Ast ast, List<Object> params) throws SqlException {
            switch (ast) {
                case CreateTable c -> {
                    checkWritable("CREATE TABLE");
                    if (tables.containsKey(c.name())) {
                        if (c.ifNotExists()) {
                            return new Result(null, null, "CREATE TABLE");
                        }
                        throw new SqlException(SqlState.DUPLICATE_TABLE, "relation \"" + c.name()
                                + "\" already exists");
                    }
                    tables.put(c.name(), new Table(c.name(), nextTableOid.getAndIncrement(), c.columns()));
                    undo.add(() -> tables.remove(c.name()));
                    return new Result(null, null, "CREATE TABLE");
                }
                case DropTable d -> {
                    checkWritable("DROP TABLE");
                    Table t = tables.remove(d.name());
                    if (t == null && !d.ifExists()) {
                        throw new SqlException(SqlState.UNDEFINED_TABLE, "table \"" + d.name() + "\" does not exist");
                    }
                    if (t != null) {
                        undo.add(() -> tables.put(t.name, t));
                    }
                    return new Result(null, null, "DROP TABLE");
                }
                case Insert ins -> {
                    checkWritable("INSERT");
                    Table t = table(ins.table());
                    List<Object[]> added = new ArrayList<>();
                    for (List<Expr> exprs : ins.rows()) {
                        if (exprs.size() > t.columns.size()) {
                            throw new SqlException(SqlState.SYNTAX_ERROR,
                                    "INSERT has more expressions than target columns");
                        }
                        Object[] row = new Object[t.columns.size()];
                        for (int i = 0; i < exprs.size(); i++) {
                            ColumnDef c = t.columns.get(i);
                            row[i] = coerce(value(exprs.get(i), params, c.type()), c.type(), c.typeModifier());
                        }
                        added.add(row);
                    }
                    t.rows.addAll(added);
                    undo.add(() -> added.forEach(r -> t.rows.remove(r)));
                    return new Result(null, null, "INSERT 0 " + added.size());
                }
                case SelectFrom s -> {
                    Table t = table(s.table());
                    List<Object[]> rows = matching(t, s.where(), params);
                    if (s.count()) {
                        return new Result(describe(s), List.<Object[]>of(new Object[] {(long) rows.size()}),
                                "SELECT 1");
                    }
                    List<Object[]> copies = new ArrayList<>(rows.size());
                    rows.forEach(r -> copies.add(r.clone()));
                    return new Result(t.description(), copies, "SELECT " + rows.size());
                }
                case Update u -> {
                    checkWritable("UPDATE");
                    Table t = table(u.table());
                    List<Object[]> rows = matching(t, u.where(), params);
                    for (Object[] row : rows) {
                        Object[] before = row.clone();
                        for (int i = 0; i < u.columns().size(); i++) {
                            int col = t.column(u.columns().get(i));
                            ColumnDef c = t.columns.get(col);
                            row[col] = coerce(value(u.values().get(i), params, c.type()), c.type(), c.typeModifier());
                        }
                        undo.add(() -> System.arraycopy(before, 0, row, 0, before.length));
                    }
                    return new Result(null, null, "UPDATE " + rows.size());
                }
                case Delete d -> {
                    checkWritable("DELETE");
                    Table t = table(d.table());
                    List<Object[]> rows = matching(t, d.where(), params);
                    List<Object[]> before = new ArrayList<>(t.rows);
                    t.rows.removeAll(rows);
                    undo.add(() -> {
                        t.rows.clear();
                        t.rows.addAll(before);
                    });
                    return new Result(null, null, "DELETE " + rows.size());
                }
                default -> throw new IllegalStateException("not a table statement: " + ast);
            }
        }

        private List<Object[]> matching(Table t, Where where, List<Object> params) throws SqlException {
            if (where == null) {
                return new ArrayList<>(t.rows);
            }
            int col = t.column(where.column());
            ColumnDef c = t.columns.get(col);
            Object wanted = coerce(value(where.value(), params, c.type()), c.type(), c.typeModifier());
            List<Object[]> out = new ArrayList<>();
            for (Object[] row : t.rows) {
                if (wanted != null && wanted.equals(row[col])) {
                    out.add(row);
                }
            }
            return out;
        }

        private Object value(Expr e, List<Object> params, PgType target) throws SqlException {
            return switch (e) {
                case Literal l -> l.value();
                case Param p -> {
                    if (p.index() < 1 || p.index() > params.size()) {
                        throw new SqlException(SqlState.of("42P02"), "there is no parameter $" + p.index());
                    }
                    yield params.get(p.index() - 1);
                }
            };
        }

        private RowDescription describe(Ast ast) throws SqlException {
            return switch (ast) {
                case SelectItems s -> {
                    List<Column> cols = new ArrayList<>();
                    for (int i = 0; i < s.exprs().size(); i++) {
                        PgType type = switch (s.exprs().get(i)) {
                            case Literal l -> l.type() == PgType.UNKNOWN ? PgType.TEXT : l.type();
                            case Param p -> p.cast() != null ? p.cast() : PgType.TEXT;
                        };
                        cols.add(new Column(s.labels().get(i), type));
                    }
                    yield new RowDescription(cols);
                }
                case SelectFrom s -> s.count() ? new RowDescription(List.of(new Column("count", PgType.INT8)))
                        : table(s.table()).description();
                case Show s -> new RowDescription(List.of(new Column(s.name(), PgType.TEXT)));
                case Sleep s -> new RowDescription(List.of(new Column("cacdb_sleep", PgType.BOOL)));
                case Notice n -> new RowDescription(List.of(new Column("cacdb_notice", PgType.TEXT)));
                case Generate g -> new RowDescription(List.of(new Column("n", PgType.INT4)));
                case Fail f -> new RowDescription(List.of(new Column("cacdb_fail", PgType.BOOL)));
                default -> null;
            };
        }

        private void infer(Ast ast, PgType[] types) throws SqlException {
            switch (ast) {
                case Insert ins -> {
                    Table t = table(ins.table());
                    for (List<Expr> row : ins.rows()) {
                        for (int i = 0; i < row.size() && i < t.columns.size(); i++) {
                            inferParam(row.get(i), t.columns.get(i).type(), types);
                        }
                    }
                }
                case SelectFrom s -> inferWhere(table(s.table()), s.where(), types);
                case Delete d -> inferWhere(table(d.table()), d.where(), types);
                case Update u -> {
                    Table t = table(u.table());
                    for (int i = 0; i < u.columns().size(); i++) {
                        inferParam(u.values().get(i), t.columns.get(t.column(u.columns().get(i))).type(), types);
                    }
                    inferWhere(t, u.where(), types);
                }
                case SelectItems s -> s.exprs().forEach(e -> inferParam(e, null, types));
                case Generate g -> inferParam(g.count(), PgType.INT4, types);
                default -> {
                }
            }
        }

        private void inferWhere(Table t, Where w, PgType[] types) throws SqlException {
            if (w != null) {
                inferParam(w.value(), t.columns.get(t.column(w.column())).type(), types);
            }
        }

        private void inferParam(Expr e, PgType context, PgType[] types) {
            if (e instanceof Param p && p.index() >= 1 && p.index() <= types.length && types[p.index() - 1] == null) {
                types[p.index() - 1] = p.cast() != null ? p.cast() : context;
            }
        }

        private int maxParam(Ast ast) {
            List<Expr> exprs = new ArrayList<>();
            switch (ast) {
                case Insert ins -> ins.rows().forEach(exprs::addAll);
                case SelectItems s -> exprs.addAll(s.exprs());
                case SelectFrom s -> addWhere(exprs, s.where());
                case Delete d -> addWhere(exprs, d.where());
                case Update u -> {
                    exprs.addAll(u.values());
                    addWhere(exprs, u.where());
                }
                case Generate g -> exprs.add(g.count());
                default -> {
                }
            }
            int max = 0;
            for (Expr e : exprs) {
                if (e instanceof Param p) {
                    max = Math.max(max, p.index());
                }
            }
            return max;
        }

        private void addWhere(List<Expr> exprs, Where w) {
            if (w != null) {
                exprs.add(w.value());
            }
        }

        private Result set(Set s) throws SqlException {
            String name = s.name();
            String value = s.value().replaceAll("^'|'$", "");
            switch (name) {
                case "session_characteristics", "transaction" -> {
                    return new Result(null, null, "SET");
                }
                case "datestyle", "client_encoding", "standard_conforming_strings", "integer_datetimes" -> {
                    throw new SqlException(SqlState.FEATURE_NOT_SUPPORTED, "parameter \"" + name
                            + "\" cannot be changed on this server");
                }
                default -> {
                }
            }
            settings.put(name, value);
            String reported = switch (name) {
                case "application_name" -> "application_name";
                case "timezone" -> "TimeZone";
                default -> null;
            };
            if (reported != null) {
                events.parameterStatus(reported, value);
            }
            return new Result(null, null, "SET");
        }

        private String show(String name) throws SqlException {
            return switch (name) {
                case "transaction_read_only", "default_transaction_read_only" -> readOnly ? "on" : "off";
                case "in_hot_standby" -> inHotStandby ? "on" : "off";
                case "server_version" -> "15.0 (cacdb)";
                case "datestyle" -> "ISO, MDY";
                case "client_encoding", "server_encoding" -> "UTF8";
                default -> {
                    String v = settings.get(name);
                    if (v == null) {
                        throw new SqlException(SqlState.UNDEFINED_OBJECT,
                                "unrecognized configuration parameter \"" + name + "\"");
                    }
                    yield v;
                }
            };
        }

        private void sleep() throws SqlException {
            sleeping.incrementAndGet();
            sleepersChanged();
            sleepLock.lock();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SLEEP_LIMIT_SECONDS);
                while (!cancelRequested) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SqlException(SqlState.of("57014"), "cacdb_sleep() was never cancelled");
                    }
                    sleepWake.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SqlException(SqlState.ADMIN_SHUTDOWN, "interrupted");
            } finally {
                sleepLock.unlock();
                sleeping.decrementAndGet();
                sleepersChanged();
            }
            checkCancel();
        }
    }

    /** Splits a simple-query string on semicolons outside quotes; blank pieces are dropped. */
    static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inString = false;
        boolean inIdent = false;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'' && !inIdent) {
                inString = !inString;
            } else if (c == '"' && !inString) {
                inIdent = !inIdent;
            } else if (c == '-' && !inString && !inIdent && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
                while (i < sql.length() && sql.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == ';' && !inString && !inIdent) {
                if (!current.toString().isBlank()) {
                    out.add(current.toString());
                }
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString());
        }
        return out;
    }
}
