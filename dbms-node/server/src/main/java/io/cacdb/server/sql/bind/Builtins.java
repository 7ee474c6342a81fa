package io.cacdb.server.sql.bind;

import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import io.cacdb.server.sql.expr.EvalContext;
import io.cacdb.server.sql.expr.Expr;
import io.cacdb.server.sql.pgcatalog.CatalogFunctions;
import io.cacdb.server.sql.pgcatalog.CatalogModel;
import io.cacdb.server.sql.pgcatalog.DefinitionText;
import io.cacdb.server.sql.pgcatalog.PgCatalog;
import io.cacdb.server.sql.pgcatalog.PgTypeInfo;
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
 * session ({@code version()}, {@code current_user}, {@code current_database()}, {@code current_schema()},
 * {@code current_setting}), strings ({@code lower}, {@code upper}, {@code length}, {@code substr}, {@code concat},
 * {@code quote_ident}), numbers ({@code abs}, {@code round}, {@code floor}, {@code ceil}, {@code mod}), NULL handling
 * ({@code coalesce}, {@code nullif}), and the system catalog's ({@code format_type}, {@code pg_get_indexdef},
 * {@code pg_get_constraintdef}, {@code pg_get_expr}, {@code pg_table_is_visible}, {@code pg_get_userbyid},
 * {@code obj_description}, {@code has_*_privilege}, {@code pg_encoding_to_char}; {@link PgCatalog}).
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
            case "pg_get_userbyid" -> {
                arity(name, n, 1);
                return new Expr.Call(name, oids(binder, args, name), SqlType.TEXT, true,
                        (a, ctx) -> CatalogFunctions.userById(model(ctx), (Long) a[0]));
            }
            case "pg_table_is_visible" -> {
                arity(name, n, 1);
                return new Expr.Call(name, oids(binder, args, name), SqlType.BOOL, true,
                        (a, ctx) -> CatalogFunctions.tableIsVisible(model(ctx), (Long) a[0]));
            }
            case "pg_type_is_visible" -> {
                arity(name, n, 1);
                return new Expr.Call(name, oids(binder, args, name), SqlType.BOOL, true,
                        (a, ctx) -> PgTypeInfo.byOid((Long) a[0]).isPresent() ? Boolean.TRUE : null);
            }
            case "format_type" -> {
                arity(name, n, 2);
                List<Expr> c = List.of(binder.coerce(args.get(0), SqlType.INT8, CastKind.IMPLICIT, name),
                        binder.coerce(args.get(1), SqlType.INT4, CastKind.IMPLICIT, name));
                // not strict: a NULL typmod means "no modifier"
                return new Expr.Call(name, c, SqlType.TEXT, false, (a, ctx) -> a[0] == null ? null
                        : PgTypeInfo.formatType((Long) a[0], a[1] == null ? -1 : (Integer) a[1]));
            }
            case "pg_get_expr" -> {
                if (n != 2 && n != 3) {
                    throw noFunction(name, args);
                }
                // the catalog keeps an expression's text where PostgreSQL keeps its node tree: printed as is
                Expr text = binder.coerce(args.get(0), SqlType.TEXT, CastKind.IMPLICIT, name);
                return new Expr.Call(name, List.of(text), SqlType.TEXT, true, (a, ctx) -> a[0]);
            }
            case "pg_get_indexdef" -> {
                if (n != 1 && n != 3) {
                    throw noFunction(name, args);
                }
                List<Expr> c = new ArrayList<>(oids(binder, args.subList(0, 1), name));
                if (n == 3) {
                    c.add(binder.coerce(args.get(1), SqlType.INT4, CastKind.IMPLICIT, name));
                    c.add(binder.coerce(args.get(2), SqlType.BOOL, CastKind.IMPLICIT, name));
                }
                return new Expr.Call(name, c, SqlType.TEXT, true, (a, ctx) -> CatalogFunctions.indexDefinition(
                        model(ctx), (Long) a[0], a.length > 1 ? (Integer) a[1] : 0, a.length > 1 && (Boolean) a[2]));
            }
            case "pg_get_constraintdef" -> {
                if (n != 1 && n != 2) {
                    throw noFunction(name, args);
                }
                List<Expr> c = new ArrayList<>(oids(binder, args.subList(0, 1), name));
                if (n == 2) {
                    c.add(binder.coerce(args.get(1), SqlType.BOOL, CastKind.IMPLICIT, name));
                }
                return new Expr.Call(name, c, SqlType.TEXT, true,
                        (a, ctx) -> CatalogFunctions.constraintDefinition(model(ctx), (Long) a[0]));
            }
            case "obj_description", "col_description", "shobj_description" -> {
                if (n != 1 && n != 2) {
                    throw noFunction(name, args);
                }
                // no comments are kept (COMMENT ON is not supported): pg_description is empty
                return new Expr.Call(name, texts(binder, args, name), SqlType.TEXT, false, (a, ctx) -> null);
            }
            case "has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_column_privilege",
                    "has_any_column_privilege", "has_sequence_privilege", "has_function_privilege", "pg_has_role" -> {
                if (n < 2 || n > 4) {
                    throw noFunction(name, args);
                }
                // every session is a superuser (docs/sql.md): every privilege is held
                return new Expr.Call(name, texts(binder, args, name), SqlType.BOOL, true, (a, ctx) -> Boolean.TRUE);
            }
            case "pg_encoding_to_char" -> {
                arity(name, n, 1);
                Expr e = binder.coerce(args.get(0), SqlType.INT4, CastKind.IMPLICIT, name);
                return new Expr.Call(name, List.of(e), SqlType.TEXT, true, (a, ctx) -> switch ((Integer) a[0]) {
                    case 0 -> "SQL_ASCII";
                    case 6 -> "UTF8";
                    default -> "";
                });
            }
            case "pg_relation_is_publishable" -> {
                arity(name, n, 1);
                return new Expr.Call(name, texts(binder, args, name), SqlType.BOOL, true, (a, ctx) -> Boolean.FALSE);
            }
            case "current_setting" -> {
                if (n != 1 && n != 2) {
                    throw noFunction(name, args);
                }
                List<Expr> c = texts(binder, args.subList(0, 1), name);
                return new Expr.Call(name, c, SqlType.TEXT, true, (a, ctx) -> {
                    String v = ctx.sessionValue("setting:" + ((String) a[0]).toLowerCase(Locale.ROOT));
                    if (v == null) {
                        throw new SqlException(SqlState.of("42704"), "unrecognized configuration parameter \""
                                + a[0] + "\"");
                    }
                    return v;
                });
            }
            case "quote_ident" -> {
                arity(name, n, 1);
                return new Expr.Call(name, texts(binder, args, name), SqlType.TEXT, true,
                        (a, ctx) -> DefinitionText.quoteIdent((String) a[0]));
            }
            default -> throw noFunction(name, args);
        }
    }

    /**
     * A cast to one of PostgreSQL's OID alias types: from a string it is the type's input (a name to an OID: 42P01 /
     * 42704 if there is none), from an integer its output (an OID to the name). OIDs are bigint here and the
     * names text (docs/sql.md §System catalog).
     */
    static Expr regCast(String type, Expr in, Binder binder) throws SqlException {
        String name = "::" + type;
        if (in.type().isString() || in.type().isUnknown()) {
            Expr t = binder.coerce(in, SqlType.TEXT, CastKind.IMPLICIT, name);
            return new Expr.Call(name, List.of(t), SqlType.INT8, true, (a, ctx) -> switch (type) {
                case "regclass" -> CatalogFunctions.regclassIn(model(ctx), (String) a[0]);
                case "regtype" -> CatalogFunctions.regtypeIn((String) a[0]);
                default -> CatalogFunctions.regnamespaceIn((String) a[0]);
            });
        }
        if (in.type().isInteger()) {
            Expr o = binder.coerce(in, SqlType.INT8, CastKind.IMPLICIT, name);
            return new Expr.Call(name, List.of(o), SqlType.TEXT, true, (a, ctx) -> switch (type) {
                case "regclass" -> CatalogFunctions.regclassOut(model(ctx), (Long) a[0]);
                case "regtype" -> CatalogFunctions.regtypeOut((Long) a[0]);
                default -> CatalogFunctions.regnamespaceOut((Long) a[0]);
            });
        }
        throw new SqlException(SqlState.of("42846"), "cannot cast type " + in.type().name() + " to " + type);
    }

    private static CatalogModel model(EvalContext ctx) {
        return PgCatalog.standard().model(ctx.catalog(), ctx.sessionValue("current_user"),
                ctx.sessionValue("current_database"));
    }

    private static List<Expr> oids(Binder binder, List<Expr> args, String name) throws SqlException {
        List<Expr> out = new ArrayList<>();
        for (Expr e : args) {
            out.add(binder.coerce(e, SqlType.INT8, CastKind.IMPLICIT, name + "() argument"));
        }
        return out;
    }

    private static List<Expr> texts(Binder binder, List<Expr> args, String name) throws SqlException {
        List<Expr> out = new ArrayList<>();
        for (Expr e : args) {
            out.add(e.type().isUnknown() ? binder.coerce(e, SqlType.TEXT, CastKind.IMPLICIT, name) : e);
        }
        return out;
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
