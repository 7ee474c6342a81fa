package io.cacdb.server.sql.bind;

import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import io.cacdb.server.sql.expr.Expr;
import io.cacdb.server.sql.types.CastKind;
import io.cacdb.server.sql.types.Casts;
import io.cacdb.server.sql.types.Operators;
import io.cacdb.server.sql.types.SqlType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scalar functions the SQL layer knows: time ({@code now()}, {@code current_timestamp}, {@code current_date}),
 * session ({@code version()}, {@code current_user}, {@code current_database()}, {@code current_schema()}), strings
 * ({@code lower}, {@code upper}, {@code length}, {@code substr}, {@code concat}), numbers ({@code abs}, {@code round},
 * {@code floor}, {@code ceil}, {@code mod}) and NULL handling ({@code coalesce}, {@code nullif}).
 */
final class Builtins {

    private Builtins() {
    }

    /** The call of {@code name} on {@code args}, or 42883 if there is no such function. */
    static Expr call(String rawName, List<Expr> args, Binder binder) throws SqlException {
        String name = rawName.toLowerCase(Locale.ROOT);
        if (name.startsWith("pg_catalog.")) {
            name = name.substring("pg_catalog.".length());
        }
        int n = args.size();
        switch (name) {
            case "now", "transaction_timestamp", "current_timestamp", "statement_timestamp" -> {
                arity(name, n, 0);
                return new Expr.Call(name, args, SqlType.TIMESTAMPTZ, false, (a, ctx) -> ctx.transactionTimestamp());
            }
            case "clock_timestamp" -> {
                arity(name, n, 0);
                return new Expr.Call(name, args, SqlType.TIMESTAMPTZ, false,
                        (a, ctx) -> OffsetDateTime.now(ZoneOffset.UTC));
            }
            case "localtimestamp" -> {
                arity(name, n, 0);
                return new Expr.Call(name, args, SqlType.TIMESTAMP, false,
                        (a, ctx) -> ctx.transactionTimestamp().withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
            }
            case "current_date" -> {
                arity(name, n, 0);
                return new Expr.Call(name, args, SqlType.DATE, false,
                        (a, ctx) -> ctx.transactionTimestamp().withOffsetSameInstant(ZoneOffset.UTC).toLocalDate());
            }
            case "version", "current_database", "current_schema", "current_user", "session_user", "user",
                    "current_catalog", "current_role" -> {
                arity(name, n, 0);
                String key = switch (name) {
                    case "session_user", "user", "current_role" -> "current_user";
                    case "current_catalog" -> "current_database";
                    default -> name;
                };
                return new Expr.Call(name, args, SqlType.TEXT, false, (a, ctx) -> ctx.sessionValue(key));
            }
            case "lower", "upper" -> {
                arity(name, n, 1);
                Expr s = binder.coerce(args.get(0), SqlType.TEXT, CastKind.ASSIGNMENT, name + "()");
                boolean lower = name.equals("lower");
                return new Expr.Call(name, List.of(s), SqlType.TEXT, true, (a, ctx) -> lower
                        ? ((String) a[0]).toLowerCase(Locale.ROOT) : ((String) a[0]).toUpperCase(Locale.ROOT));
            }
            case "length", "char_length", "character_length" -> {
                arity(name, n, 1);
                Expr s = binder.coerce(args.get(0), SqlType.TEXT, CastKind.ASSIGNMENT, name + "()");
                return new Expr.Call(name, List.of(s), SqlType.INT4, true,
                        (a, ctx) -> ((String) a[0]).codePointCount(0, ((String) a[0]).length()));
            }
            case "substr", "substring" -> {
                if (n != 2 && n != 3) {
                    throw noFunction(name, args);
                }
                List<Expr> c = new ArrayList<>();
                c.add(binder.coerce(args.get(0), SqlType.TEXT, CastKind.ASSIGNMENT, name + "()"));
                for (int i = 1; i < n; i++) {
                    c.add(binder.coerce(args.get(i), SqlType.INT4, CastKind.IMPLICIT, name + "()"));
                }
                return new Expr.Call(name, c, SqlType.TEXT, true, (a, ctx) -> substring((String) a[0], (Integer) a[1],
                        a.length > 2 ? (Integer) a[2] : null));
            }
            case "concat" -> {
                List<Expr> c = new ArrayList<>();
                for (Expr e : args) {
                    c.add(e.type().isUnknown() ? binder.coerce(e, SqlType.TEXT, CastKind.IMPLICIT, name) : e);
                }
                return new Expr.Call(name, c, SqlType.TEXT, false, (a, ctx) -> {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < a.length; i++) {
                        if (a[i] != null) {
                            sb.append(Casts.toText(a[i], c.get(i).type().pg()));
                        }
                    }
                    return sb.toString();
                });
            }
            case "abs" -> {
                arity(name, n, 1);
                Expr x = numeric(binder, args.get(0), name);
                return new Expr.Call(name, List.of(x), x.type(), true, (a, ctx) -> {
                    Object v = a[0];
                    boolean negative = Operators.compare(v, Casts.cast(0, SqlType.INT4, x.type(), CastKind.IMPLICIT),
                            x.type()) < 0;
                    return negative ? Operators.negate(v, x.type()) : v;
                });
            }
            case "round", "floor", "ceil", "ceiling", "trunc" -> {
                if (n != 1 && !(n == 2 && (name.equals("round") || name.equals("trunc")))) {
                    throw noFunction(name, args);
                }
                Expr x = numeric(binder, args.get(0), name);
                boolean floating = x.type().pg() == io.cacdb.server.session.PgType.FLOAT4
                        || x.type().pg() == io.cacdb.server.session.PgType.FLOAT8;
                if (floating && n == 1) {
                    Expr d = binder.coerce(x, SqlType.FLOAT8, CastKind.IMPLICIT, name);
                    String op = name;
                    return new Expr.Call(name, List.of(d), SqlType.FLOAT8, true, (a, ctx) -> {
                        double v = (Double) a[0];
                        return switch (op) {
                            case "round" -> v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
                            case "floor" -> Math.floor(v);
                            case "trunc" -> v < 0 ? Math.ceil(v) : Math.floor(v);
                            default -> Math.ceil(v);
                        };
                    });
                }
                Expr d = binder.coerce(x, SqlType.NUMERIC, CastKind.IMPLICIT, name);
                List<Expr> c = new ArrayList<>(List.of(d));
                if (n == 2) {
                    c.add(binder.coerce(args.get(1), SqlType.INT4, CastKind.IMPLICIT, name));
                }
                String op = name;
                return new Expr.Call(name, c, SqlType.NUMERIC, true, (a, ctx) -> {
                    BigDecimal v = (BigDecimal) a[0];
                    int scale = a.length > 1 ? (Integer) a[1] : 0;
                    BigDecimal r = switch (op) {
                        case "round" -> v.setScale(scale, RoundingMode.HALF_UP);
                        case "trunc" -> v.setScale(scale, RoundingMode.DOWN);
                        case "floor" -> v.setScale(0, RoundingMode.FLOOR);
                        default -> v.setScale(0, RoundingMode.CEILING);
                    };
                    return r.scale() < 0 ? r.setScale(0) : r;
                });
            }
            case "mod" -> {
                arity(name, n, 2);
                return binder.arithmetic(Operators.Arith.MODULO, args.get(0), args.get(1));
            }
            case "coalesce" -> {
                if (n == 0) {
                    throw noFunction(name, args);
                }
                List<Expr> c = binder.commonCoerce(args, name);
                return new Expr.Call(name, c, c.get(0).type(), false, (a, ctx) -> {
                    for (Object v : a) {
                        if (v != null) {
                            return v;
                        }
                    }
                    return null;
                });
            }
            case "nullif" -> {
                arity(name, n, 2);
                List<Expr> c = binder.commonCoerce(args, name);
                SqlType t = c.get(0).type();
                return new Expr.Call(name, c, t, false, (a, ctx) -> a[0] != null && a[1] != null
                        && Operators.compare(a[0], a[1], t) == 0 ? null : a[0]);
            }
            default -> throw noFunction(name, args);
        }
    }

    private static Expr numeric(Binder binder, Expr e, String name) throws SqlException {
        Expr x = e.type().isUnknown() ? binder.coerce(e, SqlType.NUMERIC, CastKind.IMPLICIT, name) : e;
        if (!x.type().isNumeric()) {
            throw noFunction(name, List.of(e));
        }
        return x;
    }

    private static String substring(String s, int from, Integer count) throws SqlException {
        if (count != null && count < 0) {
            throw new SqlException(SqlState.of("22011"), "negative substring length not allowed");
        }
        long start = from;
        long end = count == null ? Long.MAX_VALUE : start + count;
        start = Math.max(start, 1);
        int cps = s.codePointCount(0, s.length());
        end = Math.min(end, cps + 1L);
        if (end <= start) {
            return "";
        }
        int b = s.offsetByCodePoints(0, (int) start - 1);
        int e = s.offsetByCodePoints(0, (int) end - 1);
        return s.substring(b, e);
    }

    private static void arity(String name, int n, int expected) throws SqlException {
        if (n != expected) {
            throw new SqlException(SqlState.of("42883"), "function " + name + " takes " + expected
                    + " argument(s), got " + n);
        }
    }

    static SqlException noFunction(String name, List<Expr> args) {
        StringBuilder sb = new StringBuilder();
        for (Expr e : args) {
            sb.append(sb.isEmpty() ? "" : ", ").append(e.type().name());
        }
        return new SqlException(SqlState.of("42883"), "function " + name + "(" + sb + ") does not exist");
    }
}
