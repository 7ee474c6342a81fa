package io.cacdb.server.sql.bind;

import io.cacdb.engine.catalog.CatalogSnapshot;
import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.catalog.TableDef;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.table.IndexSpec;
import io.cacdb.engine.table.TableSpec;
import io.cacdb.server.session.PgType;
import io.cacdb.server.session.Severity;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import io.cacdb.server.sql.bind.BoundStatement.Aggregate;
import io.cacdb.server.sql.bind.BoundStatement.AggregateKind;
import io.cacdb.server.sql.bind.BoundStatement.OrderKey;
import io.cacdb.server.sql.expr.Expr;
import io.cacdb.server.sql.expr.ParameterTypes;
import io.cacdb.server.sql.parse.StatementText;
import io.cacdb.server.sql.parse.Token;
import io.cacdb.server.sql.relation.RelationColumn;
import io.cacdb.server.sql.relation.VirtualTable;
import io.cacdb.server.sql.relation.VirtualTables;
import io.cacdb.server.sql.types.CastKind;
import io.cacdb.server.sql.types.Casts;
import io.cacdb.server.sql.types.Operators;
import io.cacdb.server.sql.types.SqlType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.CaseExpression;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.DateTimeLiteralExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.TimeKeyExpression;
import net.sf.jsqlparser.expression.WhenClause;
import net.sf.jsqlparser.expression.operators.arithmetic.Addition;
import net.sf.jsqlparser.expression.operators.arithmetic.Concat;
import net.sf.jsqlparser.expression.operators.arithmetic.Division;
import net.sf.jsqlparser.expression.operators.arithmetic.Modulo;
import net.sf.jsqlparser.expression.operators.arithmetic.Multiplication;
import net.sf.jsqlparser.expression.operators.arithmetic.Subtraction;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.LikeExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.NotEqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.create.index.CreateIndex;
import net.sf.jsqlparser.statement.create.table.ColumnDefinition;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.create.table.ForeignKeyIndex;
import net.sf.jsqlparser.statement.create.table.Index;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.drop.Drop;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.truncate.Truncate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;

/**
 * Binds a parsed statement: resolves relations against the catalog (and the virtual tables), columns against the
 * FROM clause, gives every expression its type (inferring unknown parameters from their context, adding PostgreSQL's
 * implicit and assignment casts), and checks what SQL requires (42703 unknown column, 42P01 unknown relation, 42804
 * type mismatch, 42883 no such operator, 42803 ungrouped column). Produces a {@link BoundStatement}. One binder per
 * statement; not thread-safe.
 *
 * <p>Aggregates: a query with GROUP BY, HAVING or an aggregate call is bound in two row layouts (see {@link
 * BoundStatement.Query}); in the group layout an expression written exactly like a GROUP BY expression reads that
 * group value, an aggregate call reads its slot, and a bare column that is not grouped is 42803.
 */
public final class Binder {

    private enum Mode { SOURCE, GROUP }

    private static final Set<String> AGGREGATES = Set.of("count", "sum", "avg", "min", "max");

    private final StatementText source;
    private final CatalogSnapshot catalog;
    private final VirtualTables virtuals;
    private final ParameterTypes params;

    private List<RelationRef> relations = List.of();
    private Mode mode = Mode.SOURCE;
    private boolean aggregateSeen;
    /** In the group layout: the text of each GROUP BY expression and its bound form. */
    private final List<String> groupTexts = new ArrayList<>();
    private final List<Expr> groupExprs = new ArrayList<>();
    private final Map<String, Integer> aggregateSlots = new LinkedHashMap<>();
    private final List<Aggregate> aggregates = new ArrayList<>();

    private Binder(StatementText source, CatalogSnapshot catalog, VirtualTables virtuals, ParameterTypes params) {
        this.source = source;
        this.catalog = catalog;
        this.virtuals = virtuals;
        this.params = params;
    }

    /** Binds {@code ast}; {@code params} receives the parameter types it infers. */
    public static BoundStatement bind(Statement ast, StatementText source, CatalogSnapshot catalog,
            VirtualTables virtuals, ParameterTypes params) throws SqlException {
        Binder b = new Binder(source, catalog, virtuals, params);
        return switch (ast) {
            case PlainSelect s -> b.query(s);
            case Select s -> throw unsupported("this form of SELECT (set operations, VALUES, WITH, parenthesized "
                    + "queries) is not supported: " + s.getClass().getSimpleName());
            case Insert i -> b.insert(i);
            case Update u -> b.update(u);
            case Delete d -> b.delete(d);
            case CreateTable c -> b.createTable(c);
            case CreateIndex c -> b.createIndex(c);
            case Drop d -> b.drop(d);
            case Truncate t -> b.truncate(t);
            default -> throw unsupported("statement " + ast.getClass().getSimpleName() + " is not supported");
        };
    }

    static SqlException unsupported(String message) {
        return new SqlException(SqlState.FEATURE_NOT_SUPPORTED, message);
    }

    // ------------------------------------------------------------------------------------------------ names

    /** An identifier as PostgreSQL folds it: unquoted to lower case, quoted as written. */
    static String ident(String raw) {
        if (raw == null) {
            return null;
        }
        if (raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
            return raw.substring(1, raw.length() - 1).replace("\"\"", "\"");
        }
        return raw.toLowerCase(Locale.ROOT);
    }

    /** PostgreSQL's position of the first token naming {@code name} (1-based, in the whole query string), or 0. */
    private int positionOf(String name) {
        for (Token t : source.tokens()) {
            if ((t.kind() == Token.Kind.WORD || t.kind() == Token.Kind.QUOTED_IDENTIFIER) && t.value().equals(name)) {
                return source.offset() + t.start() + 1;
            }
        }
        return 0;
    }

    private SqlException error(SqlState state, String message, String at) {
        return new SqlException(state, Severity.ERROR, message, null, null, at == null ? 0 : positionOf(at), null);
    }

    private RelationRef resolveRelation(Table t, int index, int offset) throws SqlException {
        String schema = ident(t.getSchemaName());
        String name = ident(t.getName());
        String alias = t.getAlias() == null ? name : ident(t.getAlias().getName());
        if (schema == null || schema.equals(VirtualTables.PG_CATALOG)) {
            Optional<VirtualTable> v = virtuals.find(VirtualTables.PG_CATALOG, name);
            if (v.isPresent()) {
                return new RelationRef(index, alias, null, v.get(), v.get().columns(), offset);
            }
        } else if (!schema.equals("public")) {
            Optional<VirtualTable> v = virtuals.find(schema, name);
            if (v.isPresent()) {
                return new RelationRef(index, alias, null, v.get(), v.get().columns(), offset);
            }
            throw error(SqlState.UNDEFINED_TABLE, "relation \"" + schema + "." + name + "\" does not exist", name);
        }
        if (schema != null && schema.equals(VirtualTables.PG_CATALOG)) {
            throw error(SqlState.UNDEFINED_TABLE, "relation \"pg_catalog." + name + "\" does not exist", name);
        }
        TableDef def = catalog.table(name).orElseThrow(() -> error(SqlState.UNDEFINED_TABLE,
                "relation \"" + name + "\" does not exist", name));
        List<RelationColumn> cols = new ArrayList<>();
        for (ColumnDef c : def.columns()) {
            cols.add(new RelationColumn(c.name(), SqlType.of(c.type()), c.nullable()));
        }
        return new RelationRef(index, alias, def, null, cols, offset);
    }

    private TableDef storedTable(Table t) throws SqlException {
        String schema = ident(t.getSchemaName());
        String name = ident(t.getName());
        if (schema != null && !schema.equals("public")) {
            if (virtuals.find(schema, name).isPresent()) {
                throw error(SqlState.of("42809"), "\"" + schema + "." + name + "\" is a system view", name);
            }
            throw error(SqlState.UNDEFINED_TABLE, "relation \"" + schema + "." + name + "\" does not exist", name);
        }
        return catalog.table(name).orElseThrow(() -> error(SqlState.UNDEFINED_TABLE,
                "relation \"" + name + "\" does not exist", name));
    }

    private Expr column(Column c) throws SqlException {
        String name = ident(c.getColumnName());
        String qualifier = c.getTable() == null || c.getTable().getName() == null ? null : ident(c.getTable().getName());
        if (qualifier == null && relations.stream().noneMatch(r -> hasColumn(r, name))) {
            Optional<Expr> special = specialColumn(name);
            if (special.isPresent()) {
                return special.get();
            }
        }
        RelationRef found = null;
        int position = -1;
        for (RelationRef r : relations) {
            if (qualifier != null && !r.alias().equals(qualifier) && !(r.isStored() && r.table().name().equals(qualifier)
                    && r.alias().equals(r.table().name()))) {
                continue;
            }
            for (int i = 0; i < r.columns().size(); i++) {
                if (r.columns().get(i).name().equals(name)) {
                    if (found != null) {
                        throw error(SqlState.of("42702"), "column reference \"" + name + "\" is ambiguous", name);
                    }
                    found = r;
                    position = i;
                }
            }
        }
        if (found == null) {
            if (qualifier != null && relations.stream().noneMatch(r -> r.alias().equals(qualifier))) {
                throw error(SqlState.UNDEFINED_TABLE, "missing FROM-clause entry for table \"" + qualifier + "\"",
                        qualifier);
            }
            throw error(SqlState.UNDEFINED_COLUMN, "column \"" + (qualifier == null ? "" : qualifier + ".") + name
                    + "\" does not exist", name);
        }
        RelationColumn col = found.columns().get(position);
        Expr slot = new Expr.Slot(found.offset() + position, col.type(), found.alias() + "." + col.name());
        if (mode == Mode.GROUP) {
            for (int g = 0; g < groupExprs.size(); g++) {
                if (groupExprs.get(g) instanceof Expr.Slot s && s.slot() == found.offset() + position) {
                    return new Expr.Slot(g, col.type(), col.name());
                }
            }
            throw error(SqlState.of("42803"), "column \"" + found.alias() + "." + name
                    + "\" must appear in the GROUP BY clause or be used in an aggregate function", name);
        }
        return slot;
    }

    private static boolean hasColumn(RelationRef r, String name) {
        return r.columns().stream().anyMatch(c -> c.name().equals(name));
    }

    /** SQL's niladic functions, which the parser reads as column names. */
    private Optional<Expr> specialColumn(String name) throws SqlException {
        return switch (name) {
            case "current_timestamp", "localtimestamp", "current_date", "current_user", "session_user", "user",
                    "current_catalog", "current_role", "current_schema" -> Optional.of(Builtins.call(name, List.of(),
                    this));
            default -> Optional.empty();
        };
    }

    // ------------------------------------------------------------------------------------------------ typing

    /**
     * {@code e} converted to {@code t} in context {@code kind}: an unknown parameter takes the type, an unknown
     * literal is converted now, anything else gets a cast node if the cast exists (else 42804).
     */
    Expr coerce(Expr e, SqlType t, CastKind kind, String context) throws SqlException {
        if (e instanceof Expr.Param p && params.isUnresolved(p.index())) {
            params.resolve(p.index(), t);
        }
        SqlType from = e.type();
        if (from.pg() == t.pg() && (kind == CastKind.IMPLICIT || (from.length() == t.length()
                && from.precision() == t.precision() && from.scale() == t.scale()) || !hasModifiers(t))) {
            return e;
        }
        if (!Casts.castable(from, t, kind)) {
            throw new SqlException(SqlState.DATATYPE_MISMATCH, context + " is of type " + t.name()
                    + " but expression is of type " + from.name());
        }
        if (e instanceof Expr.Const c) {
            return new Expr.Const(Casts.cast(c.value(), from, t, kind), t);
        }
        return new Expr.Cast(e, t, kind);
    }

    private static boolean hasModifiers(SqlType t) {
        return t.length() >= 0 || t.precision() >= 0;
    }

    /** Coerces several expressions to their common type (CASE, COALESCE, IN lists). */
    List<Expr> commonCoerce(List<Expr> in, String context) throws SqlException {
        SqlType common = SqlType.UNKNOWN;
        for (Expr e : in) {
            if (e.type().isUnknown()) {
                continue;
            }
            SqlType next = common.isUnknown() ? e.type().base() : Operators.commonType(common, e.type());
            if (next == null) {
                throw new SqlException(SqlState.DATATYPE_MISMATCH, context + " types " + common.name() + " and "
                        + e.type().name() + " cannot be matched");
            }
            common = next;
        }
        if (common.isUnknown()) {
            common = SqlType.TEXT;
        }
        List<Expr> out = new ArrayList<>();
        for (Expr e : in) {
            out.add(coerce(e, common, CastKind.IMPLICIT, context));
        }
        return out;
    }

    private Expr compare(Expr.CompareOp op, Expr l, Expr r) throws SqlException {
        SqlType lt = l.type();
        SqlType rt = r.type();
        SqlType common;
        if (lt.pg() == PgType.BPCHAR && (rt.isString() || rt.isUnknown())
                || rt.pg() == PgType.BPCHAR && lt.isUnknown()) {
            common = SqlType.BPCHAR; // char(n) compares without trailing blanks, and keeps index lookups on it
        } else if (rt.pg() == PgType.BPCHAR && lt.isString()) {
            common = SqlType.BPCHAR;
        } else {
            common = Operators.commonType(lt, rt);
        }
        if (common == null) {
            throw new SqlException(SqlState.of("42883"), "operator does not exist: " + lt.name() + " " + op.symbol
                    + " " + rt.name());
        }
        return new Expr.Compare(op, coerce(l, common, CastKind.IMPLICIT, "operand"),
                coerce(r, common, CastKind.IMPLICIT, "operand"), common);
    }

    Expr arithmetic(Operators.Arith op, Expr l, Expr r) throws SqlException {
        // unknown operands take the other side's type (an unknown with an unknown is numeric here)
        if (l.type().isUnknown() && r.type().isUnknown()) {
            l = coerce(l, SqlType.NUMERIC, CastKind.IMPLICIT, "operand");
            r = coerce(r, SqlType.NUMERIC, CastKind.IMPLICIT, "operand");
        } else if (l.type().isUnknown()) {
            l = coerce(l, r.type().pg() == PgType.DATE ? SqlType.INT4 : r.type().base(), CastKind.IMPLICIT, "operand");
        } else if (r.type().isUnknown()) {
            r = coerce(r, l.type().pg() == PgType.DATE ? SqlType.INT4 : l.type().base(), CastKind.IMPLICIT, "operand");
        }
        SqlType out = Operators.arithmeticType(op, l.type(), r.type());
        if (out == null) {
            throw new SqlException(SqlState.of("42883"), "operator does not exist: " + l.type().name() + " "
                    + op.symbol + " " + r.type().name());
        }
        SqlType in;
        if (out.pg() == PgType.DATE || (l.type().pg() == PgType.DATE && r.type().pg() == PgType.DATE)) {
            in = l.type();
        } else {
            in = Operators.commonType(l.type(), r.type());
            l = coerce(l, in, CastKind.IMPLICIT, "operand");
            r = coerce(r, in, CastKind.IMPLICIT, "operand");
        }
        return new Expr.Arith(op, l, r, in, out);
    }

    private Expr predicate(Expression e, String clause) throws SqlException {
        Expr p = expr(e);
        if (p.type().isUnknown()) {
            p = coerce(p, SqlType.BOOL, CastKind.IMPLICIT, clause);
        }
        if (p.type().pg() != PgType.BOOL) {
            throw new SqlException(SqlState.DATATYPE_MISMATCH, "argument of " + clause + " must be type boolean, not type "
                    + p.type().name());
        }
        return p;
    }

    /** Splits a predicate at its top-level ANDs. */
    static void conjuncts(Expr e, List<Expr> out) {
        if (e instanceof Expr.And a) {
            for (Expr t : a.terms()) {
                conjuncts(t, out);
            }
        } else {
            out.add(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ expressions

    Expr expr(Expression e) throws SqlException {
        if (mode == Mode.GROUP) {
            String text = e.toString();
            for (int g = 0; g < groupTexts.size(); g++) {
                if (groupTexts.get(g).equals(text)) {
                    return new Expr.Slot(g, groupExprs.get(g).type(), text);
                }
            }
        }
        return switch (e) {
            case Column c -> column(c);
            case JdbcParameter p -> {
                int index = p.getIndex() == null ? 0 : p.getIndex() - 1;
                params.use(index);
                yield new Expr.Param(index, params);
            }
            case LongValue v -> longLiteral(v.getStringValue());
            case DoubleValue v -> {
                BigDecimal d = new BigDecimal(v.toString());
                yield new Expr.Const(d.scale() < 0 ? d.setScale(0) : d, SqlType.NUMERIC);
            }
            case StringValue s -> new Expr.Const(stringValue(s), SqlType.UNKNOWN);
            case NullValue n -> new Expr.Const(null, SqlType.UNKNOWN);
            case BooleanValue b -> new Expr.Const(b.getValue(), SqlType.BOOL);
            case DateTimeLiteralExpression d -> {
                SqlType t = SqlType.parse(d.getType().name());
                String text = d.getValue();
                if (text.length() >= 2 && text.startsWith("'") && text.endsWith("'")) {
                    text = text.substring(1, text.length() - 1);
                }
                yield new Expr.Const(Casts.cast(text, SqlType.UNKNOWN, t, CastKind.EXPLICIT), t);
            }
            case TimeKeyExpression k -> Builtins.call(k.getStringValue().toLowerCase(Locale.ROOT).replace("()", ""),
                    List.of(), this);
            case SignedExpression s -> {
                if (s.getSign() == '+') {
                    yield expr(s.getExpression());
                }
                if (s.getExpression() instanceof LongValue v) {
                    yield longLiteral("-" + v.getStringValue());
                }
                Expr inner = expr(s.getExpression());
                if (inner.type().isUnknown()) {
                    inner = coerce(inner, SqlType.NUMERIC, CastKind.IMPLICIT, "operand");
                }
                if (!inner.type().isNumeric()) {
                    throw new SqlException(SqlState.of("42883"), "operator does not exist: - " + inner.type().name());
                }
                yield inner instanceof Expr.Const c && c.value() != null
                        ? new Expr.Const(Operators.negate(c.value(), c.type()), c.type()) : new Expr.Negate(inner);
            }
            case Parenthesis p -> expr(p.getExpression());
            case ParenthesedExpressionList<?> l -> {
                if (l.size() != 1) {
                    throw unsupported("row constructors are not supported");
                }
                yield expr(l.get(0));
            }
            case CastExpression c -> cast(c);
            case Addition a -> arithmetic(Operators.Arith.ADD, expr(a.getLeftExpression()), expr(a.getRightExpression()));
            case Subtraction a -> arithmetic(Operators.Arith.SUBTRACT, expr(a.getLeftExpression()),
                    expr(a.getRightExpression()));
            case Multiplication a -> arithmetic(Operators.Arith.MULTIPLY, expr(a.getLeftExpression()),
                    expr(a.getRightExpression()));
            case Division a -> arithmetic(Operators.Arith.DIVIDE, expr(a.getLeftExpression()),
                    expr(a.getRightExpression()));
            case Modulo a -> arithmetic(Operators.Arith.MODULO, expr(a.getLeftExpression()),
                    expr(a.getRightExpression()));
            case Concat c -> new Expr.Concat(textOperand(expr(c.getLeftExpression())),
                    textOperand(expr(c.getRightExpression())));
            case EqualsTo c -> compare(Expr.CompareOp.EQ, c);
            case NotEqualsTo c -> compare(Expr.CompareOp.NE, c);
            case GreaterThan c -> compare(Expr.CompareOp.GT, c);
            case GreaterThanEquals c -> compare(Expr.CompareOp.GE, c);
            case MinorThan c -> compare(Expr.CompareOp.LT, c);
            case MinorThanEquals c -> compare(Expr.CompareOp.LE, c);
            case AndExpression a -> {
                List<Expr> terms = new ArrayList<>();
                conjuncts(predicate(a.getLeftExpression(), "AND"), terms);
                conjuncts(predicate(a.getRightExpression(), "AND"), terms);
                yield new Expr.And(terms);
            }
            case OrExpression o -> new Expr.Or(List.of(predicate(o.getLeftExpression(), "OR"),
                    predicate(o.getRightExpression(), "OR")));
            case NotExpression n -> new Expr.Not(predicate(n.getExpression(), "NOT"));
            case IsNullExpression n -> new Expr.IsNull(expr(n.getLeftExpression()), n.isNot());
            case Between b -> {
                Expr v = expr(b.getLeftExpression());
                Expr lo = expr(b.getBetweenExpressionStart());
                Expr hi = expr(b.getBetweenExpressionEnd());
                Expr both = new Expr.And(List.of(compare(Expr.CompareOp.GE, v, lo), compare(Expr.CompareOp.LE, v, hi)));
                yield b.isNot() ? new Expr.Not(both) : both;
            }
            case InExpression in -> in(in);
            case LikeExpression l -> like(l);
            case CaseExpression c -> caseExpr(c);
            case Function f -> function(f);
            default -> throw unsupported("expression " + e + " (" + e.getClass().getSimpleName()
                    + ") is not supported");
        };
    }

    private Expr compare(Expr.CompareOp op, BinaryExpression c) throws SqlException {
        return compare(op, expr(c.getLeftExpression()), expr(c.getRightExpression()));
    }

    private Expr textOperand(Expr e) throws SqlException {
        return e.type().isUnknown() ? coerce(e, SqlType.TEXT, CastKind.IMPLICIT, "operand") : e;
    }

    private static String stringValue(StringValue s) {
        String v = s.getValue().replace("''", "'");
        if (s.getPrefix() != null && s.getPrefix().equalsIgnoreCase("E")) {
            v = v.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r").replace("\\'", "'")
                    .replace("\\\\", "\\");
        }
        return v;
    }

    private static Expr longLiteral(String text) {
        BigDecimal d = new BigDecimal(text);
        try {
            long v = d.longValueExact();
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                return new Expr.Const((int) v, SqlType.INT4);
            }
            return new Expr.Const(v, SqlType.INT8);
        } catch (ArithmeticException e) {
            return new Expr.Const(d, SqlType.NUMERIC);
        }
    }

    private Expr cast(CastExpression c) throws SqlException {
        SqlType t = SqlType.parse(c.getColDataType().toString());
        Expr in = expr(c.getLeftExpression());
        if (in instanceof Expr.Param p && params.isUnresolved(p.index())) {
            params.resolve(p.index(), t);
            return hasModifiers(t) ? new Expr.Cast(in, t, CastKind.EXPLICIT) : in;
        }
        if (!Casts.castable(in.type(), t, CastKind.EXPLICIT)) {
            throw new SqlException(SqlState.of("42846"), "cannot cast type " + in.type().name() + " to " + t.name());
        }
        if (in instanceof Expr.Const k) {
            return new Expr.Const(Casts.cast(k.value(), k.type(), t, CastKind.EXPLICIT), t);
        }
        return new Expr.Cast(in, t, CastKind.EXPLICIT);
    }

    private Expr in(InExpression in) throws SqlException {
        if (!(in.getRightExpression() instanceof ExpressionList<?> list)) {
            throw unsupported("IN with a subquery is not supported");
        }
        List<Expr> all = new ArrayList<>();
        all.add(expr(in.getLeftExpression()));
        for (Expression x : list) {
            all.add(expr(x));
        }
        List<Expr> typed = commonCoerce(all, "IN");
        return new Expr.InList(typed.get(0), List.copyOf(typed.subList(1, typed.size())), in.isNot(),
                typed.get(0).type());
    }

    private Expr like(LikeExpression l) throws SqlException {
        LikeExpression.KeyWord k = l.getLikeKeyWord();
        if (k != LikeExpression.KeyWord.LIKE && k != LikeExpression.KeyWord.ILIKE) {
            throw unsupported(k + " is not supported");
        }
        if (l.getEscape() != null) {
            throw unsupported("LIKE ... ESCAPE is not supported (the escape character is backslash)");
        }
        Expr v = textOperand(expr(l.getLeftExpression()));
        Expr p = coerce(expr(l.getRightExpression()), SqlType.TEXT, CastKind.IMPLICIT, "LIKE pattern");
        if (!v.type().isString()) {
            throw new SqlException(SqlState.of("42883"), "operator does not exist: " + v.type().name() + " ~~ text");
        }
        return Expr.Like.of(v, p, l.isNot(), k == LikeExpression.KeyWord.ILIKE);
    }

    private Expr caseExpr(CaseExpression c) throws SqlException {
        List<Expr> conditions = new ArrayList<>();
        List<Expr> results = new ArrayList<>();
        Expr subject = c.getSwitchExpression() == null ? null : expr(c.getSwitchExpression());
        for (WhenClause w : c.getWhenClauses()) {
            if (subject == null) {
                conditions.add(predicate(w.getWhenExpression(), "CASE/WHEN"));
            } else {
                conditions.add(compare(Expr.CompareOp.EQ, subject, expr(w.getWhenExpression())));
            }
            results.add(expr(w.getThenExpression()));
        }
        Expr otherwise = c.getElseExpression() == null ? null : expr(c.getElseExpression());
        List<Expr> all = new ArrayList<>(results);
        if (otherwise != null) {
            all.add(otherwise);
        }
        List<Expr> typed = commonCoerce(all, "CASE");
        return new Expr.Case(conditions, typed.subList(0, results.size()),
                otherwise == null ? null : typed.get(typed.size() - 1), typed.get(0).type());
    }

    private Expr function(Function f) throws SqlException {
        String name = f.getName().toLowerCase(Locale.ROOT);
        if (AGGREGATES.contains(name)) {
            return aggregate(f, name);
        }
        if (f.isDistinct()) {
            throw new SqlException(SqlState.SYNTAX_ERROR, "DISTINCT specified, but " + name
                    + " is not an aggregate function");
        }
        List<Expr> args = new ArrayList<>();
        if (f.getParameters() != null) {
            for (Expression x : f.getParameters()) {
                args.add(expr(x));
            }
        }
        return Builtins.call(name, args, this);
    }

    private Expr aggregate(Function f, String name) throws SqlException {
        aggregateSeen = true;
        ExpressionList<?> ps = f.getParameters();
        boolean star = f.isAllColumns() || (ps != null && ps.size() == 1 && ps.get(0) instanceof AllColumns);
        if (mode == Mode.SOURCE) {
            // Probing pass (or a clause where aggregates are not allowed, which the caller reports).
            return new Expr.Const(null, name.equals("count") ? SqlType.INT8 : SqlType.NUMERIC);
        }
        String key = f.toString();
        Integer existing = aggregateSlots.get(key);
        if (existing != null) {
            Aggregate a = aggregates.get(existing);
            return new Expr.Slot(groupExprs.size() + existing, a.type(), a.toString());
        }
        Aggregate a;
        if (star) {
            if (!name.equals("count")) {
                throw new SqlException(SqlState.SYNTAX_ERROR, name + "(*) is not allowed");
            }
            a = new Aggregate(AggregateKind.COUNT_STAR, null, false, SqlType.INT8);
        } else {
            if (ps == null || ps.size() != 1) {
                throw new SqlException(SqlState.of("42883"), "function " + name + " takes one argument");
            }
            mode = Mode.SOURCE;
            Expr arg;
            try {
                arg = expr(ps.get(0));
            } finally {
                mode = Mode.GROUP;
            }
            if (arg.type().isUnknown()) {
                arg = coerce(arg, name.equals("count") ? SqlType.TEXT : SqlType.NUMERIC, CastKind.IMPLICIT, name);
            }
            AggregateKind kind = AggregateKind.valueOf(name.toUpperCase(Locale.ROOT));
            SqlType t = aggregateType(kind, arg.type());
            a = new Aggregate(kind, arg, f.isDistinct(), t);
        }
        int slot = aggregates.size();
        aggregates.add(a);
        aggregateSlots.put(key, slot);
        return new Expr.Slot(groupExprs.size() + slot, a.type(), a.toString());
    }

    private static SqlType aggregateType(AggregateKind kind, SqlType arg) throws SqlException {
        return switch (kind) {
            case COUNT, COUNT_STAR -> SqlType.INT8;
            case MIN, MAX -> arg.base();
            case SUM -> switch (arg.pg()) {
                case INT2, INT4 -> SqlType.INT8;
                case INT8, NUMERIC -> SqlType.NUMERIC;
                case FLOAT4 -> SqlType.FLOAT4;
                case FLOAT8 -> SqlType.FLOAT8;
                default -> throw new SqlException(SqlState.of("42883"), "function sum(" + arg.name() + ") does not exist");
            };
            case AVG -> switch (arg.pg()) {
                case INT2, INT4, INT8, NUMERIC -> SqlType.NUMERIC;
                case FLOAT4, FLOAT8 -> SqlType.FLOAT8;
                default -> throw new SqlException(SqlState.of("42883"), "function avg(" + arg.name() + ") does not exist");
            };
        };
    }

    // ------------------------------------------------------------------------------------------------ SELECT

    private BoundStatement.Query query(PlainSelect s) throws SqlException {
        if (s.getWithItemsList() != null && !s.getWithItemsList().isEmpty()) {
            throw unsupported("WITH is not supported");
        }
        // FROM
        List<RelationRef> rels = new ArrayList<>();
        List<Expression> onConditions = new ArrayList<>();
        int width = 0;
        if (s.getFromItem() != null) {
            width = addFrom(s.getFromItem(), rels, width);
            if (s.getJoins() != null) {
                for (Join j : s.getJoins()) {
                    if (j.isLeft() || j.isRight() || j.isFull() || j.isOuter() || j.isNatural() || j.isSemi()
                            || j.isApply()) {
                        throw unsupported("only inner joins are supported");
                    }
                    if (j.getUsingColumns() != null && !j.getUsingColumns().isEmpty()) {
                        throw unsupported("JOIN ... USING is not supported; write JOIN ... ON");
                    }
                    width = addFrom(j.getRightItem(), rels, width);
                    if (j.getOnExpressions() != null) {
                        onConditions.addAll(j.getOnExpressions());
                    }
                }
            }
        }
        Set<String> aliases = new HashSet<>();
        for (RelationRef r : rels) {
            if (!aliases.add(r.alias())) {
                throw error(SqlState.of("42712"), "table name \"" + r.alias() + "\" specified more than once", r.alias());
            }
        }
        relations = rels;
        // WHERE and ON
        List<Expr> conjuncts = new ArrayList<>();
        aggregateSeen = false;
        if (s.getWhere() != null) {
            conjuncts(predicate(s.getWhere(), "WHERE"), conjuncts);
        }
        for (Expression on : onConditions) {
            conjuncts(predicate(on, "JOIN/ON"), conjuncts);
        }
        if (aggregateSeen) {
            throw new SqlException(SqlState.of("42803"), "aggregate functions are not allowed in WHERE");
        }
        // Probe the select list for aggregates (binding in the source layout; aggregates bind to placeholders).
        List<SelectItem<?>> items = s.getSelectItems();
        for (SelectItem<?> item : items) {
            if (!(item.getExpression() instanceof AllColumns) && !(item.getExpression() instanceof AllTableColumns)) {
                expr(item.getExpression());
            }
        }
        if (s.getHaving() != null) {
            aggregateSeen = true;
        }
        if (s.getOrderByElements() != null && !aggregateSeen) {
            for (OrderByElement o : s.getOrderByElements()) {
                if (o.getExpression() instanceof Function f && AGGREGATES.contains(f.getName().toLowerCase(Locale.ROOT))) {
                    aggregateSeen = true;
                }
            }
        }
        boolean aggregate = aggregateSeen || s.getGroupBy() != null;
        List<Expr> groupBy = new ArrayList<>();
        if (aggregate) {
            if (s.getGroupBy() != null) {
                for (Expression g : s.getGroupBy().getGroupByExpressions()) {
                    Expr bound = groupByItem(g, items);
                    groupBy.add(bound);
                    groupTexts.add(g.toString());
                    groupExprs.add(bound);
                }
            }
            mode = Mode.GROUP;
        }
        // select list
        List<Expr> outputs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> itemTexts = new ArrayList<>();
        for (SelectItem<?> item : items) {
            Expression e = item.getExpression();
            if (e instanceof AllColumns) {
                if (rels.isEmpty()) {
                    throw new SqlException(SqlState.SYNTAX_ERROR, "SELECT * with no tables specified is not valid");
                }
                for (RelationRef r : rels) {
                    expandStar(r, outputs, names, itemTexts);
                }
            } else if (e instanceof AllTableColumns at) {
                String q = ident(at.getTable().getName());
                RelationRef r = rels.stream().filter(x -> x.alias().equals(q)).findFirst().orElseThrow(() ->
                        error(SqlState.UNDEFINED_TABLE, "missing FROM-clause entry for table \"" + q + "\"", q));
                expandStar(r, outputs, names, itemTexts);
            } else {
                Expr bound = expr(e);
                if (bound.type().isUnknown()) {
                    bound = coerce(bound, SqlType.TEXT, CastKind.IMPLICIT, "column");
                }
                outputs.add(bound);
                names.add(item.getAlias() != null ? ident(item.getAlias().getName()) : outputName(e));
                itemTexts.add(e.toString());
            }
        }
        int visible = outputs.size();
        // HAVING
        Expr having = null;
        if (s.getHaving() != null) {
            having = predicate(s.getHaving(), "HAVING");
        }
        boolean distinct = s.getDistinct() != null;
        if (distinct && s.getDistinct().getOnSelectItems() != null && !s.getDistinct().getOnSelectItems().isEmpty()) {
            throw unsupported("DISTINCT ON is not supported");
        }
        // ORDER BY
        List<OrderKey> orderBy = new ArrayList<>();
        if (s.getOrderByElements() != null) {
            for (OrderByElement o : s.getOrderByElements()) {
                int column = orderColumn(o.getExpression(), outputs, names, itemTexts, visible, distinct);
                boolean desc = !o.isAsc();
                boolean nullsFirst = o.getNullOrdering() == null ? desc
                        : o.getNullOrdering() == OrderByElement.NullOrdering.NULLS_FIRST;
                orderBy.add(new OrderKey(column, desc, nullsFirst));
            }
        }
        mode = Mode.SOURCE;
        // LIMIT / OFFSET
        Expr limit = null;
        Expr offset = null;
        Limit l = s.getLimit();
        if (l != null) {
            if (l.getRowCount() != null && !l.isLimitAll() && !l.isLimitNull()) {
                limit = coerce(expr(l.getRowCount()), SqlType.INT8, CastKind.IMPLICIT, "LIMIT");
                requireRowIndependent(limit, "LIMIT");
            }
            if (l.getOffset() != null) {
                offset = coerce(expr(l.getOffset()), SqlType.INT8, CastKind.IMPLICIT, "OFFSET");
                requireRowIndependent(offset, "OFFSET");
            }
        }
        if (s.getOffset() != null) {
            offset = coerce(expr(s.getOffset().getOffset()), SqlType.INT8, CastKind.IMPLICIT, "OFFSET");
            requireRowIndependent(offset, "OFFSET");
        }
        if (s.getFetch() != null) {
            throw unsupported("FETCH FIRST is not supported; use LIMIT");
        }
        boolean forUpdate = s.getForMode() != null;
        if (forUpdate) {
            if (aggregate) {
                throw unsupported("FOR UPDATE is not allowed with aggregate functions");
            }
            if (distinct) {
                throw unsupported("FOR UPDATE is not allowed with DISTINCT clause");
            }
            if (rels.size() != 1 || !rels.get(0).isStored()) {
                throw unsupported("FOR UPDATE is supported on a query of one table");
            }
        }
        return new BoundStatement.Query(rels, width, conjuncts, aggregate, groupBy, List.copyOf(aggregates), having,
                outputs, names, visible, distinct, orderBy, limit, offset, forUpdate);
    }

    private void requireRowIndependent(Expr e, String clause) throws SqlException {
        if (!e.isRowIndependent()) {
            throw new SqlException(SqlState.of("42P10"), "argument of " + clause + " must not contain variables");
        }
    }

    private int addFrom(FromItem item, List<RelationRef> rels, int width) throws SqlException {
        if (!(item instanceof Table t)) {
            throw unsupported("subqueries in FROM are not supported");
        }
        RelationRef r = resolveRelation(t, rels.size(), width);
        rels.add(r);
        return width + r.columns().size();
    }

    private void expandStar(RelationRef r, List<Expr> outputs, List<String> names, List<String> texts)
            throws SqlException {
        for (int i = 0; i < r.columns().size(); i++) {
            RelationColumn c = r.columns().get(i);
            if (mode == Mode.GROUP) {
                outputs.add(column(new Column(new Table(r.alias()), "\"" + c.name().replace("\"", "\"\"") + "\"")));
            } else {
                outputs.add(new Expr.Slot(r.offset() + i, c.type(), r.alias() + "." + c.name()));
            }
            names.add(c.name());
            texts.add(c.name());
        }
    }

    /** A GROUP BY item: an output ordinal, an output alias, or an expression of the source row. */
    private Expr groupByItem(Expression g, List<SelectItem<?>> items) throws SqlException {
        if (g instanceof LongValue v) {
            int n = (int) v.getValue();
            if (n < 1 || n > items.size()) {
                throw new SqlException(SqlState.of("42P10"), "GROUP BY position " + n + " is not in select list");
            }
            return expr(items.get(n - 1).getExpression());
        }
        if (g instanceof Column c && c.getTable() == null) {
            String name = ident(c.getColumnName());
            boolean isColumn = relations.stream().anyMatch(r -> hasColumn(r, name));
            if (!isColumn) {
                for (SelectItem<?> item : items) {
                    if (item.getAlias() != null && ident(item.getAlias().getName()).equals(name)) {
                        return expr(item.getExpression());
                    }
                }
            }
        }
        return expr(g);
    }

    /** The output column an ORDER BY item sorts on, adding a hidden output when it is none of the visible ones. */
    private int orderColumn(Expression o, List<Expr> outputs, List<String> names, List<String> texts, int visible,
            boolean distinct) throws SqlException {
        if (o instanceof LongValue v) {
            int n = (int) v.getValue();
            if (n < 1 || n > visible) {
                throw new SqlException(SqlState.of("42P10"), "ORDER BY position " + n + " is not in select list");
            }
            return n - 1;
        }
        if (o instanceof Column c && c.getTable() == null) {
            String name = ident(c.getColumnName());
            for (int i = 0; i < visible; i++) {
                if (names.get(i).equals(name) && (relations.stream().noneMatch(r -> hasColumn(r, name))
                        || texts.get(i).equalsIgnoreCase(c.toString()) || outputIsColumn(outputs.get(i), name))) {
                    return i;
                }
            }
        }
        String text = o.toString();
        for (int i = 0; i < visible; i++) {
            if (texts.get(i).equals(text)) {
                return i;
            }
        }
        Expr bound = expr(o);
        for (int i = 0; i < outputs.size(); i++) {
            if (outputs.get(i).equals(bound)) {
                return i;
            }
        }
        if (distinct) {
            throw new SqlException(SqlState.of("42P10"),
                    "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
        }
        outputs.add(bound);
        names.add("?sort?");
        texts.add(text);
        return outputs.size() - 1;
    }

    private static boolean outputIsColumn(Expr e, String name) {
        return e instanceof Expr.Slot s && (s.label().equals(name) || s.label().endsWith("." + name));
    }

    /** PostgreSQL's column label for an unaliased select item. */
    private static String outputName(Expression e) {
        return switch (e) {
            case Column c -> {
                String n = ident(c.getColumnName());
                yield n;
            }
            case Function f -> f.getName().toLowerCase(Locale.ROOT).replace("pg_catalog.", "");
            case CastExpression c -> c.getLeftExpression() instanceof Column || c.getLeftExpression() instanceof Function
                    ? outputName(c.getLeftExpression()) : typeLabel(c.getColDataType().getDataType());
            case TimeKeyExpression k -> k.getStringValue().toLowerCase(Locale.ROOT).replace("()", "");
            case Parenthesis p -> outputName(p.getExpression());
            case CaseExpression c -> "case";
            default -> "?column?";
        };
    }

    private static String typeLabel(String dataType) {
        String t = dataType.toLowerCase(Locale.ROOT).trim();
        int paren = t.indexOf('(');
        if (paren > 0) {
            t = t.substring(0, paren).trim();
        }
        return switch (t) {
            case "int", "integer", "int4" -> "int4";
            case "bigint", "int8" -> "int8";
            case "smallint", "int2" -> "int2";
            case "decimal", "numeric" -> "numeric";
            case "real", "float4" -> "float4";
            case "double precision", "float8", "float" -> "float8";
            case "boolean", "bool" -> "bool";
            case "varchar", "character varying" -> "varchar";
            case "char", "character", "bpchar" -> "bpchar";
            case "timestamp", "timestamp without time zone" -> "timestamp";
            case "timestamptz", "timestamp with time zone" -> "timestamptz";
            default -> t;
        };
    }

    // ------------------------------------------------------------------------------------------------ DML

    private BoundStatement.Insert insert(Insert s) throws SqlException {
        if (s.getConflictAction() != null || s.isUseDuplicate()) {
            throw unsupported("INSERT ... ON CONFLICT is not supported");
        }
        TableDef t = storedTable(s.getTable());
        List<ColumnDef> cols = t.columns();
        int[] targets;
        if (s.getColumns() == null || s.getColumns().isEmpty()) {
            targets = null;
        } else {
            targets = new int[s.getColumns().size()];
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < targets.length; i++) {
                String name = ident(s.getColumns().get(i).getColumnName());
                int pos = t.columnPosition(name).orElseThrow(() -> error(SqlState.UNDEFINED_COLUMN, "column \"" + name
                        + "\" of relation \"" + t.name() + "\" does not exist", name));
                if (!seen.add(pos)) {
                    throw error(SqlState.of("42701"), "column \"" + name + "\" specified more than once", name);
                }
                targets[i] = pos;
            }
        }
        List<List<Expr>> rows = new ArrayList<>();
        BoundStatement.Query sourceQuery = null;
        Select select = s.getSelect();
        Values values = select instanceof Values v ? v : null;
        if (values == null && select instanceof PlainSelect ps && ps.getFromItem() == null
                && ps.getSelectItems() == null) {
            values = null;
        }
        int width = targets == null ? cols.size() : targets.length;
        if (values != null) {
            // VALUES (a, b) is one parenthesized list; VALUES (a, b), (c, d) a plain list of parenthesized ones
            List<Expression> rowExprs = new ArrayList<>();
            if (values.getExpressions() instanceof ParenthesedExpressionList<?> single) {
                rowExprs.add(single);
            } else {
                rowExprs.addAll(values.getExpressions());
            }
            for (Expression rowExpr : rowExprs) {
                List<Expression> items = new ArrayList<>();
                if (rowExpr instanceof ParenthesedExpressionList<?> pl) {
                    items.addAll(pl);
                } else if (rowExpr instanceof ExpressionList<?> el) {
                    items.addAll(el);
                } else {
                    items.add(rowExpr);
                }
                if (items.size() > width) {
                    throw new SqlException(SqlState.SYNTAX_ERROR, "INSERT has more expressions than target columns");
                }
                if (targets != null && items.size() < width) {
                    throw new SqlException(SqlState.SYNTAX_ERROR, "INSERT has more target columns than expressions");
                }
                List<Expr> row = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    ColumnDef c = cols.get(targets == null ? i : targets[i]);
                    row.add(coerce(expr(items.get(i)), SqlType.of(c.type()), CastKind.ASSIGNMENT,
                            "column \"" + c.name() + "\""));
                }
                rows.add(row);
            }
        } else if (select instanceof PlainSelect ps) {
            Binder sub = new Binder(source, catalog, virtuals, params);
            sourceQuery = sub.query(ps);
            if (sourceQuery.visible() > width) {
                throw new SqlException(SqlState.SYNTAX_ERROR, "INSERT has more expressions than target columns");
            }
            for (int i = 0; i < sourceQuery.visible(); i++) {
                ColumnDef c = cols.get(targets == null ? i : targets[i]);
                if (!Casts.castable(sourceQuery.outputs().get(i).type(), SqlType.of(c.type()), CastKind.ASSIGNMENT)) {
                    throw new SqlException(SqlState.DATATYPE_MISMATCH, "column \"" + c.name() + "\" is of type "
                            + c.type().sqlName() + " but expression is of type " + sourceQuery.outputs().get(i).type());
                }
            }
        } else {
            throw unsupported("this INSERT source is not supported");
        }
        // RETURNING reads the inserted row
        relations = List.of(tableRef(t, t.name()));
        List<Expr> returning = new ArrayList<>();
        List<String> returningNames = new ArrayList<>();
        returning(s.getReturningClause(), returning, returningNames);
        return new BoundStatement.Insert(t, targets, rows, sourceQuery, returning, returningNames);
    }

    private RelationRef tableRef(TableDef t, String alias) {
        List<RelationColumn> cols = new ArrayList<>();
        for (ColumnDef c : t.columns()) {
            cols.add(new RelationColumn(c.name(), SqlType.of(c.type()), c.nullable()));
        }
        return new RelationRef(0, alias, t, null, cols, 0);
    }

    private void returning(net.sf.jsqlparser.statement.ReturningClause r, List<Expr> out, List<String> names)
            throws SqlException {
        if (r == null) {
            return;
        }
        for (Object o : r) {
            SelectItem<?> item = (SelectItem<?>) o;
            Expression e = item.getExpression();
            if (e instanceof AllColumns) {
                expandStar(relations.get(0), out, names, new ArrayList<>());
            } else {
                Expr bound = expr(e);
                if (bound.type().isUnknown()) {
                    bound = coerce(bound, SqlType.TEXT, CastKind.IMPLICIT, "column");
                }
                out.add(bound);
                names.add(item.getAlias() != null ? ident(item.getAlias().getName()) : outputName(e));
            }
        }
    }

    private BoundStatement.Update update(Update s) throws SqlException {
        if (s.getFromItem() != null || (s.getJoins() != null && !s.getJoins().isEmpty())) {
            throw unsupported("UPDATE ... FROM is not supported");
        }
        TableDef t = storedTable(s.getTable());
        String alias = s.getTable().getAlias() == null ? t.name() : ident(s.getTable().getAlias().getName());
        RelationRef target = tableRef(t, alias);
        relations = List.of(target);
        List<Integer> columns = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        for (UpdateSet set : s.getUpdateSets()) {
            if (set.getColumns().size() != set.getValues().size()) {
                throw unsupported("UPDATE with a row of columns is not supported");
            }
            for (int i = 0; i < set.getColumns().size(); i++) {
                String name = ident(set.getColumns().get(i).getColumnName());
                int pos = t.columnPosition(name).orElseThrow(() -> error(SqlState.UNDEFINED_COLUMN, "column \"" + name
                        + "\" of relation \"" + t.name() + "\" does not exist", name));
                if (columns.contains(pos)) {
                    throw error(SqlState.of("42601"), "multiple assignments to same column \"" + name + "\"", name);
                }
                ColumnDef c = t.columns().get(pos);
                columns.add(pos);
                values.add(coerce(expr(set.getValues().get(i)), SqlType.of(c.type()), CastKind.ASSIGNMENT,
                        "column \"" + c.name() + "\""));
            }
        }
        List<Expr> conjuncts = new ArrayList<>();
        if (s.getWhere() != null) {
            conjuncts(predicate(s.getWhere(), "WHERE"), conjuncts);
        }
        if (aggregateSeen) {
            throw new SqlException(SqlState.of("42803"), "aggregate functions are not allowed in UPDATE");
        }
        List<Expr> returning = new ArrayList<>();
        List<String> names = new ArrayList<>();
        returning(s.getReturningClause(), returning, names);
        return new BoundStatement.Update(target, columns.stream().mapToInt(Integer::intValue).toArray(), values,
                conjuncts, returning, names);
    }

    private BoundStatement.Delete delete(Delete s) throws SqlException {
        if ((s.getTables() != null && !s.getTables().isEmpty()) || (s.getUsingList() != null
                && !s.getUsingList().isEmpty()) || (s.getJoins() != null && !s.getJoins().isEmpty())) {
            throw unsupported("DELETE with several tables is not supported");
        }
        TableDef t = storedTable(s.getTable());
        String alias = s.getTable().getAlias() == null ? t.name() : ident(s.getTable().getAlias().getName());
        RelationRef target = tableRef(t, alias);
        relations = List.of(target);
        List<Expr> conjuncts = new ArrayList<>();
        if (s.getWhere() != null) {
            conjuncts(predicate(s.getWhere(), "WHERE"), conjuncts);
        }
        if (aggregateSeen) {
            throw new SqlException(SqlState.of("42803"), "aggregate functions are not allowed in WHERE");
        }
        List<Expr> returning = new ArrayList<>();
        List<String> names = new ArrayList<>();
        returning(s.getReturningClause(), returning, names);
        return new BoundStatement.Delete(target, conjuncts, returning, names);
    }

    // ------------------------------------------------------------------------------------------------ DDL

    private BoundStatement.CreateTable createTable(CreateTable c) throws SqlException {
        if (c.getSelect() != null || c.getLikeTable() != null) {
            throw unsupported("CREATE TABLE AS / LIKE is not supported");
        }
        String schema = ident(c.getTable().getSchemaName());
        if (schema != null && !schema.equals("public")) {
            throw new SqlException(SqlState.of("3F000"), "schema \"" + schema + "\" does not exist");
        }
        String name = ident(c.getTable().getName());
        List<ColumnDef> columns = new ArrayList<>();
        List<String> primaryKey = new ArrayList<>();
        List<List<String>> unique = new ArrayList<>();
        if (c.getColumnDefinitions() == null || c.getColumnDefinitions().isEmpty()) {
            throw new SqlException(SqlState.of("42P16"), "a table needs at least one column");
        }
        for (ColumnDefinition d : c.getColumnDefinitions()) {
            String col = ident(d.getColumnName());
            SqlType type = SqlType.parse(d.getColDataType().toString());
            ColumnType ct = type.columnType();
            boolean nullable = true;
            Object defaultValue = null;
            List<String> specs = d.getColumnSpecs() == null ? List.of() : d.getColumnSpecs();
            for (int i = 0; i < specs.size(); i++) {
                String spec = specs.get(i).toUpperCase(Locale.ROOT);
                switch (spec) {
                    case "NOT" -> {
                        if (i + 1 < specs.size() && specs.get(i + 1).equalsIgnoreCase("NULL")) {
                            nullable = false;
                            i++;
                        }
                    }
                    case "NULL" -> nullable = true;
                    case "PRIMARY" -> {
                        if (i + 1 < specs.size() && specs.get(i + 1).equalsIgnoreCase("KEY")) {
                            i++;
                        }
                        if (!primaryKey.isEmpty()) {
                            throw new SqlException(SqlState.of("42P16"), "multiple primary keys for table \"" + name
                                    + "\" are not allowed");
                        }
                        primaryKey.add(col);
                    }
                    case "UNIQUE" -> unique.add(List.of(col));
                    case "DEFAULT" -> {
                        if (i + 1 >= specs.size()) {
                            throw new SqlException(SqlState.SYNTAX_ERROR, "DEFAULT without a value");
                        }
                        StringBuilder text = new StringBuilder(specs.get(++i));
                        // the parser splits "DEFAULT -1" and "DEFAULT 'a' :: text" into several specs
                        while (i + 1 < specs.size() && !isColumnSpecKeyword(specs.get(i + 1))) {
                            text.append(' ').append(specs.get(++i));
                        }
                        defaultValue = constantDefault(text.toString(), type, col);
                    }
                    case "REFERENCES", "CHECK", "CONSTRAINT", "COLLATE" -> throw unsupported(spec
                            + " in a column definition is not supported");
                    default -> throw unsupported("column option " + specs.get(i) + " is not supported");
                }
            }
            columns.add(new ColumnDef(col, ct, nullable, defaultValue));
        }
        if (c.getIndexes() != null) {
            for (Index idx : c.getIndexes()) {
                if (idx instanceof ForeignKeyIndex) {
                    continue; // accepted and not enforced (docs/sql.md)
                }
                String type = idx.getType() == null ? "" : idx.getType().toUpperCase(Locale.ROOT);
                List<String> cols = idx.getColumnsNames().stream().map(Binder::ident).toList();
                if (type.startsWith("PRIMARY")) {
                    if (!primaryKey.isEmpty()) {
                        throw new SqlException(SqlState.of("42P16"), "multiple primary keys for table \"" + name
                                + "\" are not allowed");
                    }
                    primaryKey.addAll(cols);
                } else if (type.startsWith("UNIQUE")) {
                    unique.add(cols);
                } else if (type.startsWith("FOREIGN")) {
                    continue;
                } else {
                    throw unsupported("table constraint " + idx.getType() + " is not supported");
                }
            }
        }
        return new BoundStatement.CreateTable(new TableSpec(name, columns, primaryKey, unique), c.isIfNotExists());
    }

    private static boolean isColumnSpecKeyword(String s) {
        return switch (s.toUpperCase(Locale.ROOT)) {
            case "NOT", "NULL", "PRIMARY", "UNIQUE", "DEFAULT", "REFERENCES", "CHECK", "CONSTRAINT", "COLLATE" -> true;
            default -> false;
        };
    }

    /** A column default: a constant converted to the column type. Expressions (now()) are not stored by the engine. */
    private Object constantDefault(String text, SqlType type, String column) throws SqlException {
        Expression e;
        try {
            e = net.sf.jsqlparser.parser.CCJSqlParserUtil.parseExpression(text);
        } catch (net.sf.jsqlparser.JSQLParserException ex) {
            throw new SqlException(SqlState.SYNTAX_ERROR, "cannot read the default of column \"" + column + "\": "
                    + text);
        }
        List<RelationRef> saved = relations;
        relations = List.of();
        try {
            Expr bound = coerce(expr(e), type, CastKind.ASSIGNMENT, "column \"" + column + "\"");
            if (!(bound instanceof Expr.Const k)) {
                throw unsupported("the default of column \"" + column + "\" must be a constant (" + text
                        + " is not); the engine stores constant defaults only");
            }
            return type.columnType().coerce(k.value());
        } finally {
            relations = saved;
        }
    }

    private BoundStatement.CreateIndex createIndex(CreateIndex c) throws SqlException {
        Index idx = c.getIndex();
        if (c.getWhere() != null) {
            throw unsupported("partial indexes are not supported");
        }
        TableDef t = storedTable(c.getTable());
        String name = idx.getName() == null ? null : ident(idx.getName());
        List<IndexSpec.Part> parts = new ArrayList<>();
        for (Index.ColumnParams p : idx.getColumns()) {
            String col = ident(p.getColumnName());
            if (t.columnPosition(col).isEmpty()) {
                throw error(SqlState.UNDEFINED_COLUMN, "column \"" + col + "\" does not exist", col);
            }
            boolean desc = p.getParams() != null && p.getParams().stream().anyMatch(x -> x.equalsIgnoreCase("DESC"));
            parts.add(desc ? IndexSpec.Part.desc(col) : IndexSpec.Part.asc(col));
        }
        if (name == null) {
            StringBuilder sb = new StringBuilder(t.name());
            for (IndexSpec.Part p : parts) {
                sb.append('_').append(p.column());
            }
            name = sb.append("_idx").toString();
        }
        boolean unique = idx.getType() != null && idx.getType().toUpperCase(Locale.ROOT).contains("UNIQUE");
        boolean ifNotExists = c.isUsingIfNotExists() || (c.getTailParameters() != null
                && String.join(" ", c.getTailParameters()).toUpperCase(Locale.ROOT).contains("IF NOT EXISTS"));
        return new BoundStatement.CreateIndex(new IndexSpec(name, t.name(), parts, unique), ifNotExists);
    }

    private BoundStatement drop(Drop d) throws SqlException {
        String type = d.getType() == null ? "" : d.getType().toUpperCase(Locale.ROOT);
        List<Table> tables = d.getNames() != null && !d.getNames().isEmpty() ? d.getNames() : List.of(d.getName());
        List<String> names = new ArrayList<>();
        for (Table t : tables) {
            names.add(ident(t.getName()));
        }
        return switch (type) {
            case "TABLE" -> new BoundStatement.DropTables(names, d.isIfExists());
            case "INDEX" -> new BoundStatement.DropIndexes(names, d.isIfExists());
            default -> throw unsupported("DROP " + type + " is not supported");
        };
    }

    private BoundStatement truncate(Truncate t) throws SqlException {
        List<Table> tables = t.getTables() != null && !t.getTables().isEmpty() ? t.getTables() : List.of(t.getTable());
        List<String> names = new ArrayList<>();
        for (Table x : tables) {
            names.add(storedTable(x).name());
        }
        return new BoundStatement.Truncate(names);
    }

    /** The slots an expression reads. */
    static BitSet slots(Expr e) {
        BitSet b = new BitSet();
        e.collectSlots(b);
        return b;
    }
}
