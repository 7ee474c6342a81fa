package io.cacdb.server.sql.pgcatalog;

import io.cacdb.engine.row.ColumnType;
import io.cacdb.server.session.PgType;
import io.cacdb.server.sql.types.Casts;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The text PostgreSQL's deparser (ruleutils.c) prints for what cacdb's catalog holds: column defaults
 * ({@code pg_get_expr} of {@code pg_attrdef.adbin}), index definitions ({@code pg_get_indexdef}), constraint
 * definitions ({@code pg_get_constraintdef}), and identifiers ({@code quote_ident}). Stateless.
 */
public final class DefinitionText {

    /** Reserved key words (PostgreSQL's RESERVED_KEYWORD class): quote_ident quotes them. */
    private static final Set<String> RESERVED = Set.of("all", "analyse", "analyze", "and", "any", "array", "as", "asc",
            "asymmetric", "both", "case", "cast", "check", "collate", "column", "constraint", "create",
            "current_catalog", "current_date", "current_role", "current_time", "current_timestamp", "current_user",
            "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for",
            "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into", "lateral",
            "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order",
            "placing", "primary", "references", "returning", "select", "session_user", "some", "symmetric", "table",
            "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where",
            "window", "with");

    private DefinitionText() {
    }

    /**
     * A stored column default as PostgreSQL prints the default expression it would have kept for the same DDL. The
     * engine keeps the value converted to the column type, not the expression, so the original literal's type is
     * inferred: integers print bare (negative ones as {@code '-1'::integer}, beyond integer {@code '..'::bigint}),
     * numerics bare at the column's scale, floats as the decimal literal they came from, strings and datetimes
     * quoted with a cast to the column's type name. Returns null for no default (a NULL default is none, as in
     * PostgreSQL).
     */
    public static String defaultExpression(ColumnType type, Object value) {
        if (value == null) {
            return null;
        }
        return switch (type.kind()) {
            case SMALLINT, INTEGER, BIGINT -> integerLiteral(((Number) value).longValue());
            case NUMERIC -> numericLiteral((BigDecimal) value);
            case REAL, DOUBLE -> {
                BigDecimal d = new BigDecimal(value.toString());
                if (d.signum() == 0 || (d.stripTrailingZeros().scale() <= 0 && d.abs().compareTo(BigDecimal
                        .valueOf(Integer.MAX_VALUE)) <= 0)) {
                    yield integerLiteral(d.longValue());
                }
                yield numericLiteral(d);
            }
            case BOOLEAN -> ((Boolean) value) ? "true" : "false";
            case TEXT -> quoteLiteral((String) value) + "::text";
            case VARCHAR -> quoteLiteral((String) value) + "::character varying";
            case CHAR -> quoteLiteral(Casts.stripTrailingSpaces((String) value)) + "::bpchar";
            case DATE -> quoteLiteral(Casts.toText(value, PgType.DATE)) + "::date";
            case TIMESTAMP -> quoteLiteral(Casts.toText(value, PgType.TIMESTAMP)) + "::timestamp without time zone";
        };
    }

    private static String integerLiteral(long v) {
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return v >= 0 ? Long.toString(v) : "'" + v + "'::integer";
        }
        return "'" + v + "'::bigint";
    }

    private static String numericLiteral(BigDecimal v) {
        String s = v.toPlainString();
        // ruleutils prints a numeric bare when it looks like a float literal (leading digit, has a '.')
        return Character.isDigit(s.charAt(0)) && s.indexOf('.') >= 0 ? s : "'" + s + "'::numeric";
    }

    /** A string literal as PostgreSQL's simple_quote_literal writes it ({@code E'..'} when it has a backslash). */
    public static String quoteLiteral(String s) {
        String q = s.replace("'", "''");
        if (s.indexOf('\\') >= 0) {
            return "E'" + q.replace("\\", "\\\\") + "'";
        }
        return "'" + q + "'";
    }

    /** PostgreSQL's quote_ident: quoted unless a plain lower-case identifier that is not a reserved word. */
    public static String quoteIdent(String name) {
        boolean plain = !name.isEmpty() && (Character.isLowerCase(name.charAt(0)) || name.charAt(0) == '_')
                && !RESERVED.contains(name);
        for (int i = 0; i < name.length() && plain; i++) {
            char c = name.charAt(i);
            plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        }
        return plain ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /**
     * {@code pg_get_indexdef(oid, column, pretty)}: with column 0 the whole {@code CREATE [UNIQUE] INDEX name ON
     * public.table USING btree (a, b DESC)} (pretty: the table unqualified, as it is visible); with column k only
     * key column k's name (PostgreSQL prints no ordering then). Null if k is beyond the key.
     */
    public static String indexDefinition(CatalogModel model, CatalogModel.Index index, int column, boolean pretty) {
        CatalogModel.Relation table = model.relation(index.table()).orElseThrow();
        if (column > 0) {
            if (column > index.keys().size()) {
                return null;
            }
            return quoteIdent(table.attributes().get(index.keys().get(column - 1) - 1).name());
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < index.keys().size(); i++) {
            String part = quoteIdent(table.attributes().get(index.keys().get(i) - 1).name());
            int option = index.options().get(i);
            boolean desc = (option & 1) != 0;
            boolean nullsFirst = (option & 2) != 0;
            if (desc) {
                part += nullsFirst ? " DESC" : " DESC NULLS LAST";
            } else if (nullsFirst) {
                part += " NULLS FIRST";
            }
            parts.add(part);
        }
        return "CREATE " + (index.def().unique() ? "UNIQUE " : "") + "INDEX " + quoteIdent(index.def().name())
                + " ON " + (pretty ? "" : "public.") + quoteIdent(table.name()) + " USING btree ("
                + String.join(", ", parts) + ")";
    }

    /** {@code pg_get_constraintdef(oid)}: {@code PRIMARY KEY (a, b)} or {@code UNIQUE (c)}. */
    public static String constraintDefinition(CatalogModel model, CatalogModel.Constraint c) {
        CatalogModel.Relation table = model.relation(c.table()).orElseThrow();
        List<String> cols = new ArrayList<>();
        for (short k : c.keys()) {
            cols.add(quoteIdent(table.attributes().get(k - 1).name()));
        }
        return (c.type().equals("p") ? "PRIMARY KEY" : "UNIQUE") + " (" + String.join(", ", cols) + ")";
    }
}
