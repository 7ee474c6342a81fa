package io.cacdb.server.sql.expr;

import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import io.cacdb.server.sql.types.CastKind;
import io.cacdb.server.sql.types.Casts;
import io.cacdb.server.sql.types.Operators;
import io.cacdb.server.sql.types.SqlType;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A bound, typed, evaluable expression: the binder makes them from the parser's syntax tree, the planner reads their
 * shape (which row slots a predicate uses, whether it is {@code column = value}), and the executor evaluates them
 * against a row ({@code Object[]}, the values of the slots) and an {@link EvalContext}. Immutable, so plans holding
 * them can be cached and shared between sessions.
 *
 * <p>NULL is Java null; boolean expressions follow SQL's three-valued logic (null is unknown).
 */
public sealed interface Expr {

    SqlType type();

    Object eval(Object[] row, EvalContext ctx) throws SqlException;

    /** The direct sub-expressions. */
    List<Expr> children();

    /** Adds the row slots this expression reads. */
    default void collectSlots(BitSet slots) {
        for (Expr c : children()) {
            c.collectSlots(slots);
        }
    }

    /** Whether the value depends on nothing but parameters and constants (no row slot). */
    default boolean isRowIndependent() {
        BitSet b = new BitSet();
        collectSlots(b);
        return b.isEmpty();
    }

    /** Evaluates a predicate: true only for TRUE (null and false both reject). */
    static boolean isTrue(Expr e, Object[] row, EvalContext ctx) throws SqlException {
        return Boolean.TRUE.equals(e.eval(row, ctx));
    }

    /** A constant (an untyped string literal has type unknown until a context casts it). */
    record Const(Object value, SqlType type) implements Expr {
        @Override
        public Object eval(Object[] row, EvalContext ctx) {
            return value;
        }

        @Override
        public List<Expr> children() {
            return List.of();
        }

        @Override
        public String toString() {
            if (value == null) {
                return "NULL";
            }
            if (value instanceof String s) {
                return "'" + s.replace("'", "''") + "'" + (type.isUnknown() || type.isString() ? "" : "::" + type);
            }
            return Casts.toText(value, type.pg());
        }
    }

    /** Parameter {@code $(index+1)}; its type is read from the statement's parameter types (fixed once bound). */
    record Param(int index, ParameterTypes types) implements Expr {
        @Override
        public SqlType type() {
            return types.type(index);
        }

        @Override
        public Object eval(Object[] row, EvalContext ctx) {
            return ctx.parameter(index);
        }

        @Override
        public List<Expr> children() {
            return List.of();
        }

        @Override
        public String toString() {
            return "$" + (index + 1);
        }
    }

    /** The value in row slot {@code slot}; {@code label} names it for EXPLAIN ({@code table.column}). */
    record Slot(int slot, SqlType type, String label) implements Expr {
        @Override
        public Object eval(Object[] row, EvalContext ctx) {
            return row[slot];
        }

        @Override
        public List<Expr> children() {
            return List.of();
        }

        @Override
        public void collectSlots(BitSet slots) {
            slots.set(slot);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** A conversion of {@code input} to {@code type}. */
    record Cast(Expr input, SqlType type, CastKind kind) implements Expr {
        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            return Casts.cast(input.eval(row, ctx), input.type(), type, kind);
        }

        @Override
        public List<Expr> children() {
            return List.of(input);
        }

        @Override
        public String toString() {
            return "(" + input + ")::" + type;
        }
    }

    /** The comparison operators. */
    enum CompareOp {
        EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">=");

        public final String symbol;

        CompareOp(String symbol) {
            this.symbol = symbol;
        }

        public boolean test(int c) {
            return switch (this) {
                case EQ -> c == 0;
                case NE -> c != 0;
                case LT -> c < 0;
                case LE -> c <= 0;
                case GT -> c > 0;
                case GE -> c >= 0;
            };
        }

        /** The operator with its operands swapped ({@code a < b} is {@code b > a}). */
        public CompareOp flipped() {
            return switch (this) {
                case LT -> GT;
                case LE -> GE;
                case GT -> LT;
                case GE -> LE;
                default -> this;
            };
        }
    }

    /** {@code left op right}, both operands already of type {@code operandType}. */
    record Compare(CompareOp op, Expr left, Expr right, SqlType operandType) implements Expr {
        @Override
        public SqlType type() {
            return SqlType.BOOL;
        }

        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            Object a = left.eval(row, ctx);
            if (a == null) {
                return null;
            }
            Object b = right.eval(row, ctx);
            if (b == null) {
                return null;
            }
            return op.test(Operators.compare(a, b, operandType));
        }

        @Override
        public List<Expr> children() {
            return List.of(left, right);
        }

        @Override
        public String toString() {
            return left + " " + op.symbol + " " + right;
        }
    }

    /** Arithmetic; operands already of type {@code operandType}. */
    record Arith(Operators.Arith op, Expr left, Expr right, SqlType operandType, SqlType type) implements Expr {
        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            Object a = left.eval(row, ctx);
            if (a == null) {
                return null;
            }
            Object b = right.eval(row, ctx);
            if (b == null) {
                return null;
            }
            return Operators.arithmetic(op, a, b, operandType, type);
        }

        @Override
        public List<Expr> children() {
            return List.of(left, right);
        }

        @Override
        public String toString() {
            return "(" + left + " " + op.symbol + " " + right + ")";
        }
    }

    /** Unary minus. */
    record Negate(Expr input) implements Expr {
        @Override
        public SqlType type() {
            return input.type();
        }

        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            Object v = input.eval(row, ctx);
            return v == null ? null : Operators.negate(v, input.type());
        }

        @Override
        public List<Expr> children() {
            return List.of(input);
        }

        @Override
        public String toString() {
            return "-" + input;
        }
    }

    /** String concatenation {@code ||}: NULL if either side is. */
    record Concat(Expr left, Expr right) implements Expr {
        @Override
        public SqlType type() {
            return SqlType.TEXT;
        }

        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            Object a = left.eval(row, ctx);
            Object b = right.eval(row, ctx);
            if (a == null || b == null) {
                return null;
            }
            return Casts.toText(a, left.type().pg()) + Casts.toText(b, right.type().pg());
        }

        @Override
        public List<Expr> children() {
            return List.of(left, right);
        }

        @Override
        public String toString() {
            return left + " || " + right;
        }
    }

    /** AND of several predicates (three-valued). */
    record And(List<Expr> terms) implements Expr {
        @Override
        public SqlType type() {
            return SqlType.BOOL;
        }

        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            boolean unknown = false;
            for (Expr t : terms) {
                Object v = t.eval(row, ctx);
                if (v == null) {
                    unknown = true;
                } else if (!(Boolean) v) {
                    return false;
                }
            }
            return unknown ? null : Boolean.TRUE;
        }

        @Override
        public List<Expr> children() {
            return terms;
        }

        @Override
        public String toString() {
            return terms.stream().map(Object::toString).collect(Collectors.joining(" AND ", "(", ")"));
        }
    }

    /** OR of several predicates (three-valued). */
    record Or(List<Expr> terms) implements Expr {
        @Override
        public SqlType type() {
            return SqlType.BOOL;
        }

        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            boolean unknown = false;
            for (Expr t : terms) {
                Object v = t.eval(row, ctx);
                if (v == null) {
                    unknown = true;
                } else if ((Boolean) v) {
                    return true;
                }
            }
            return unknown ? null : Boolean.FALSE;
        }

        @Override
        public List<Expr> children() {
            return terms;
        }

        @Override
        public String toString() {
            return terms.stream().map(Object::toString).collect(Collectors.joining(" OR ", "(", ")"));
        }
    }

    record Not(Expr input) implements Expr {
        @Override
        public SqlType type() {
            return SqlType.BOOL;
        }

        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            Object v = input.eval(row, ctx);
            return v == null ? null : !(Boolean) v;
        }

        @Override
        public List<Expr> children() {
            return List.of(input);
        }

        @Override
        public String toString() {
            return "NOT " + input;
        }
    }

    record IsNull(Expr input, boolean negated) implements Expr {
        @Override
        public SqlType type() {
            return SqlType.BOOL;
        }

        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            return (input.eval(row, ctx) == null) != negated;
        }

        @Override
        public List<Expr> children() {
            return List.of(input);
        }

        @Override
        public String toString() {
            return input + (negated ? " IS NOT NULL" : " IS NULL");
        }
    }

    /** {@code input [NOT] IN (list)}, every element already of type {@code operandType}. */
    record InList(Expr input, List<Expr> list, boolean negated, SqlType operandType) implements Expr {
        @Override
        public SqlType type() {
            return SqlType.BOOL;
        }

        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            Object v = input.eval(row, ctx);
            if (v == null) {
                return null;
            }
            boolean sawNull = false;
            for (Expr e : list) {
                Object x = e.eval(row, ctx);
                if (x == null) {
                    sawNull = true;
                } else if (Operators.compare(v, x, operandType) == 0) {
                    return !negated;
                }
            }
            return sawNull ? null : negated;
        }

        @Override
        public List<Expr> children() {
            List<Expr> c = new ArrayList<>(list);
            c.add(0, input);
            return c;
        }

        @Override
        public String toString() {
            return input + (negated ? " NOT IN " : " IN ")
                    + list.stream().map(Object::toString).collect(Collectors.joining(", ", "(", ")"));
        }
    }

    /** {@code input [NOT] [I]LIKE pattern}; a constant pattern is compiled once. */
    record Like(Expr input, Expr pattern, boolean negated, boolean caseInsensitive, Pattern compiled)
            implements Expr {

        public static Like of(Expr input, Expr pattern, boolean negated, boolean caseInsensitive) throws SqlException {
            Pattern compiled = null;
            if (pattern instanceof Const c && c.value() != null) {
                compiled = compile((String) c.value(), caseInsensitive);
            }
            return new Like(input, pattern, negated, caseInsensitive, compiled);
        }

        @Override
        public SqlType type() {
            return SqlType.BOOL;
        }

        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            Object v = input.eval(row, ctx);
            if (v == null) {
                return null;
            }
            Pattern p = compiled;
            if (p == null) {
                Object pv = pattern.eval(row, ctx);
                if (pv == null) {
                    return null;
                }
                p = compile(Casts.toText(pv, pattern.type().pg()), caseInsensitive);
            }
            return p.matcher(Casts.toText(v, input.type().pg())).matches() != negated;
        }

        /** LIKE's pattern as a regular expression: % any run, _ one character, backslash escapes. */
        static Pattern compile(String like, boolean caseInsensitive) throws SqlException {
            StringBuilder re = new StringBuilder();
            for (int i = 0; i < like.length(); i++) {
                char c = like.charAt(i);
                if (c == '\\') {
                    if (i + 1 >= like.length()) {
                        throw new SqlException(SqlState.of("22025"), "LIKE pattern must not end with escape character");
                    }
                    re.append(Pattern.quote(String.valueOf(like.charAt(++i))));
                } else if (c == '%') {
                    re.append(".*");
                } else if (c == '_') {
                    re.append('.');
                } else {
                    re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(re.toString(), Pattern.DOTALL | (caseInsensitive
                    ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0));
        }

        @Override
        public List<Expr> children() {
            return List.of(input, pattern);
        }

        @Override
        public String toString() {
            return input + (negated ? " NOT" : "") + (caseInsensitive ? " ILIKE " : " LIKE ") + pattern;
        }
    }

    /** {@code CASE WHEN c1 THEN r1 ... ELSE e END}, results already of {@code type}. */
    record Case(List<Expr> conditions, List<Expr> results, Expr otherwise, SqlType type) implements Expr {
        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            for (int i = 0; i < conditions.size(); i++) {
                if (isTrue(conditions.get(i), row, ctx)) {
                    return results.get(i).eval(row, ctx);
                }
            }
            return otherwise == null ? null : otherwise.eval(row, ctx);
        }

        @Override
        public List<Expr> children() {
            List<Expr> c = new ArrayList<>(conditions);
            c.addAll(results);
            if (otherwise != null) {
                c.add(otherwise);
            }
            return c;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("CASE");
            for (int i = 0; i < conditions.size(); i++) {
                sb.append(" WHEN ").append(conditions.get(i)).append(" THEN ").append(results.get(i));
            }
            if (otherwise != null) {
                sb.append(" ELSE ").append(otherwise);
            }
            return sb.append(" END").toString();
        }
    }

    /** The body of a scalar function. */
    @FunctionalInterface
    interface ScalarBody {
        Object apply(Object[] args, EvalContext ctx) throws SqlException;
    }

    /**
     * A call of a scalar function; {@code strict} functions return NULL for any NULL argument without being called
     * (PostgreSQL's STRICT), {@code volatileValue} ones are never folded into constants.
     */
    record Call(String name, List<Expr> args, SqlType type, boolean strict, ScalarBody body) implements Expr {
        @Override
        public Object eval(Object[] row, EvalContext ctx) throws SqlException {
            Object[] values = new Object[args.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = args.get(i).eval(row, ctx);
                if (values[i] == null && strict) {
                    return null;
                }
            }
            return body.apply(values, ctx);
        }

        @Override
        public List<Expr> children() {
            return args;
        }

        @Override
        public String toString() {
            return name.toLowerCase(Locale.ROOT)
                    + args.stream().map(Object::toString).collect(Collectors.joining(", ", "(", ")"));
        }
    }
}
