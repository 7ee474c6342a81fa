package io.cacdb.server.sql.pgcatalog;

import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import java.util.Map;
import java.util.Optional;

/**
 * The system catalog's functions, over a {@link CatalogModel}: {@code pg_get_indexdef}, {@code
 * pg_get_constraintdef}, {@code pg_table_is_visible}, {@code pg_get_userbyid}, {@code format_type} and the input
 * and output of {@code regclass}, {@code regtype} and {@code regnamespace}. The SQL layer's {@code Builtins} binds
 * them by name. Stateless.
 */
public final class CatalogFunctions {

    private CatalogFunctions() {
    }

    public static String indexDefinition(CatalogModel m, long oid, int column, boolean pretty) {
        return m.index(oid).map(i -> DefinitionText.indexDefinition(m, i, column, pretty)).orElse(null);
    }

    public static String constraintDefinition(CatalogModel m, long oid) {
        return m.constraint(oid).map(c -> DefinitionText.constraintDefinition(m, c)).orElse(null);
    }

    /** Whether the relation is found by its bare name: it is in pg_catalog or public (the search path). */
    public static Boolean tableIsVisible(CatalogModel m, long oid) {
        return m.relation(oid).map(r -> r.namespace() == CatalogModel.PG_CATALOG_NAMESPACE
                || r.namespace() == CatalogModel.PUBLIC_NAMESPACE).orElse(null);
    }

    public static String userById(CatalogModel m, long oid) {
        if (oid == CatalogModel.DATABASE_OWNER_ROLE_OID) {
            return CatalogModel.DATABASE_OWNER_ROLE;
        }
        return oid == CatalogModel.USER_OID ? m.user() : "unknown (OID=" + oid + ")";
    }

    /** regclass output: the relation's name, qualified when it is not visible; the number if there is none. */
    public static String regclassOut(CatalogModel m, long oid) {
        Optional<CatalogModel.Relation> r = m.relation(oid);
        if (r.isEmpty()) {
            return Long.toString(oid);
        }
        String name = DefinitionText.quoteIdent(r.get().name());
        return Boolean.TRUE.equals(tableIsVisible(m, oid)) ? name
                : CatalogModel.namespaces().get(r.get().namespace()) + "." + name;
    }

    /** regclass input: {@code name}, {@code schema.name} (quoted parts as written), or a number; 42P01 if none. */
    public static long regclassIn(CatalogModel m, String text) throws SqlException {
        String s = text.trim();
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(s);
        }
        String[] parts = splitQualified(s);
        String schema = parts.length == 2 ? parts[0] : null;
        String name = parts[parts.length - 1];
        return m.relation(schema, name).map(CatalogModel.Relation::oid).orElseThrow(() ->
                new SqlException(SqlState.UNDEFINED_TABLE, "relation \"" + s + "\" does not exist"));
    }

    /** regtype output: format_type without a modifier. */
    public static String regtypeOut(long oid) {
        return PgTypeInfo.byOid(oid).isPresent() ? PgTypeInfo.formatType(oid, -1) : Long.toString(oid);
    }

    /** regtype input: a pg_type name or a format_type name ({@code integer}, {@code character varying}). */
    public static long regtypeIn(String text) throws SqlException {
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.startsWith("pg_catalog.")) {
            s = s.substring("pg_catalog.".length());
        }
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(s);
        }
        for (PgTypeInfo t : PgTypeInfo.all()) {
            if (t.name().equals(s) || t.formatName().equals(s)) {
                return t.oid();
            }
        }
        return switch (s) {
            case "int", "integer" -> PgTypeInfo.INT4;
            case "character", "char" -> PgTypeInfo.BPCHAR;
            case "decimal" -> PgTypeInfo.NUMERIC;
            default -> throw new SqlException(SqlState.UNDEFINED_OBJECT, "type \"" + text.trim() + "\" does not exist");
        };
    }

    public static String regnamespaceOut(long oid) {
        String name = CatalogModel.namespaces().get(oid);
        return name == null ? Long.toString(oid) : name;
    }

    public static long regnamespaceIn(String text) throws SqlException {
        String s = splitQualified(text.trim())[0];
        for (Map.Entry<Long, String> e : CatalogModel.namespaces().entrySet()) {
            if (e.getValue().equals(s)) {
                return e.getKey();
            }
        }
        throw new SqlException(SqlState.of("3F000"), "schema \"" + s + "\" does not exist");
    }

    /** {@code schema.name} split at the dot outside quotes, each part folded as an identifier. */
    private static String[] splitQualified(String s) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                    wasQuoted = true;
                }
            } else if (c == '.' && !quoted) {
                parts.add(wasQuoted ? cur.toString() : cur.toString().toLowerCase(java.util.Locale.ROOT));
                cur.setLength(0);
                wasQuoted = false;
            } else {
                cur.append(c);
            }
        }
        parts.add(wasQuoted ? cur.toString() : cur.toString().toLowerCase(java.util.Locale.ROOT));
        return parts.toArray(String[]::new);
    }
}
