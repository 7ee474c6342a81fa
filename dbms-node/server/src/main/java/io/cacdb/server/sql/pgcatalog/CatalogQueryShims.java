package io.cacdb.server.sql.pgcatalog;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * <b>Compatibility shim</b> for a few catalog queries that psql 15 and pgjdbc 42.7 send and that use SQL cacdb does
 * not implement (arrays, {@code ANY(array)}, set-returning functions in the select list, {@code UNION}). Each is
 * recognised by a fingerprint — the statement with whitespace runs collapsed, matched against the client's exact
 * text where only the relation OID or the optional filters vary — and replaced by an equivalent query over the same
 * catalog relations that cacdb does implement. Every other statement passes through untouched. Tests run the
 * clients against cacdb and PostgreSQL 15 and compare (docs/sql.md §System catalog lists each shim and why).
 *
 * <table>
 *   <tr><th>client query</th><th>unsupported construct</th><th>answered by</th></tr>
 *   <tr><td>psql {@code \d}: row-level security policies</td><td>{@code array(select ..)}, {@code = any(array)}</td>
 *       <td>pg_policy with the roles column NULL (pg_policy is always empty)</td></tr>
 *   <tr><td>psql {@code \d}: extended statistics</td><td>{@code = any(stxkind)}, regnamespace</td>
 *       <td>pg_statistic_ext with the kind flags NULL (always empty)</td></tr>
 *   <tr><td>psql {@code \d}: publications</td><td>{@code UNION}, generate_series, array subscripts</td>
 *       <td>pg_publication filtered by EXISTS on pg_publication_rel (always empty)</td></tr>
 *   <tr><td>pgjdbc getPrimaryKeys</td><td>{@code information_schema._pg_expandarray(conkey)} in the select list
 *       </td><td>the same joins with {@code cacdb_compat.key_columns} (one row per key column)</td></tr>
 *   <tr><td>pgjdbc getIndexInfo</td><td>{@code _pg_expandarray(indkey)}, {@code indoption[n] & 1}, {@code
 *       trim(both .. from ..)}</td><td>the same joins with {@code cacdb_compat.key_columns}</td></tr>
 * </table>
 */
public final class CatalogQueryShims {

    /**
     * Shorter statements are never shimmed (the shortest shimmed query is about 500 characters): keeps the common
     * path of every statement to one length check.
     */
    private static final int SHIMMED_QUERY_CHARS_MIN = 100;

    /** A bind parameter or a string literal (pgjdbc inlines parameters as {@code ('v')} in simple query mode). */
    private static final String VALUE = "(\\$\\d+|\\('(?:[^']|'')*'\\)|'(?:[^']|'')*')";

    private record Shim(String name, Pattern fingerprint, Function<Matcher, String> replacement) {
    }

    private static final List<Shim> SHIMS = List.of(
            new Shim("psql 15 \\d policies", exact("SELECT pol.polname, pol.polpermissive, CASE WHEN pol.polroles ="
                    + " '{0}' THEN NULL ELSE pg_catalog.array_to_string(array(select rolname from pg_catalog.pg_roles"
                    + " where oid = any (pol.polroles) order by 1),',') END, pg_catalog.pg_get_expr(pol.polqual,"
                    + " pol.polrelid), pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid), CASE pol.polcmd WHEN 'r'"
                    + " THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END AS cmd"
                    + " FROM pg_catalog.pg_policy pol WHERE pol.polrelid = '«(\\d+)»' ORDER BY 1"),
                    m -> "SELECT pol.polname, pol.polpermissive, NULL::text AS array_to_string,"
                            + " pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),"
                            + " pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid), CASE pol.polcmd WHEN 'r' THEN"
                            + " 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END AS cmd"
                            + " FROM pg_catalog.pg_policy pol WHERE pol.polrelid = '" + m.group(1) + "' ORDER BY 1"),
            new Shim("psql 15 \\d extended statistics", exact("SELECT oid, stxrelid::pg_catalog.regclass,"
                    + " stxnamespace::pg_catalog.regnamespace::pg_catalog.text AS nsp, stxname,"
                    + " pg_catalog.pg_get_statisticsobjdef_columns(oid) AS columns, 'd' = any(stxkind) AS"
                    + " ndist_enabled, 'f' = any(stxkind) AS deps_enabled, 'm' = any(stxkind) AS mcv_enabled,"
                    + " stxstattarget FROM pg_catalog.pg_statistic_ext WHERE stxrelid = '«(\\d+)»' ORDER BY nsp,"
                    + " stxname"),
                    m -> "SELECT oid, stxrelid::pg_catalog.regclass AS stxrelid,"
                            + " stxnamespace::pg_catalog.regnamespace::pg_catalog.text AS nsp, stxname,"
                            + " NULL::text AS columns, NULL::boolean AS ndist_enabled, NULL::boolean AS deps_enabled,"
                            + " NULL::boolean AS mcv_enabled, stxstattarget FROM pg_catalog.pg_statistic_ext"
                            + " WHERE stxrelid = '" + m.group(1) + "' ORDER BY nsp, stxname"),
            new Shim("psql 15 \\d publications", exact("SELECT pubname , NULL , NULL FROM pg_catalog.pg_publication p"
                    + " JOIN pg_catalog.pg_publication_namespace pn ON p.oid = pn.pnpubid JOIN pg_catalog.pg_class pc"
                    + " ON pc.relnamespace = pn.pnnspid WHERE pc.oid ='«(\\d+)»' and"
                    + " pg_catalog.pg_relation_is_publishable('«\\1»') UNION SELECT pubname , pg_get_expr(pr.prqual,"
                    + " c.oid) , (CASE WHEN pr.prattrs IS NOT NULL THEN (SELECT string_agg(attname, ', ') FROM"
                    + " pg_catalog.generate_series(0, pg_catalog.array_upper(pr.prattrs::pg_catalog.int2[], 1)) s,"
                    + " pg_catalog.pg_attribute WHERE attrelid = pr.prrelid AND attnum = prattrs[s]) ELSE NULL END)"
                    + " FROM pg_catalog.pg_publication p JOIN pg_catalog.pg_publication_rel pr ON p.oid = pr.prpubid"
                    + " JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid WHERE pr.prrelid = '«\\1»' UNION SELECT"
                    + " pubname , NULL , NULL FROM pg_catalog.pg_publication p WHERE p.puballtables AND"
                    + " pg_catalog.pg_relation_is_publishable('«\\1»') ORDER BY 1"),
                    m -> "SELECT p.pubname, NULL::text AS prqual, NULL::text AS prattrs FROM pg_catalog.pg_publication p"
                            + " WHERE p.puballtables OR EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel pr"
                            + " WHERE pr.prpubid = p.oid AND pr.prrelid = '" + m.group(1) + "') ORDER BY 1"),
            new Shim("pgjdbc 42.7 getPrimaryKeys", Pattern.compile(Pattern.quote("SELECT result.TABLE_CAT AS"
                    + " \"TABLE_CAT\", result.TABLE_SCHEM AS \"TABLE_SCHEM\", result.TABLE_NAME AS \"TABLE_NAME\","
                    + " result.COLUMN_NAME AS \"COLUMN_NAME\", result.KEY_SEQ AS \"KEY_SEQ\", result.PK_NAME AS"
                    + " \"PK_NAME\"FROM (SELECT current_database() AS TABLE_CAT, n.nspname AS TABLE_SCHEM, ct.relname"
                    + " AS TABLE_NAME, a.attname AS COLUMN_NAME, (information_schema._pg_expandarray(con.conkey)).n AS"
                    + " KEY_SEQ, con.conname AS PK_NAME, information_schema._pg_expandarray(con.conkey) AS KEYS,"
                    + " a.attnum AS A_ATTNUM FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class ct ON"
                    + " (con.conrelid = ct.oid) JOIN pg_catalog.pg_namespace n ON (ct.relnamespace = n.oid) JOIN"
                    + " pg_catalog.pg_attribute a ON (a.attrelid = ct.oid) WHERE con.contype = 'p'")
                    + "(?: AND n\\.nspname = " + VALUE + ")?(?: AND ct\\.relname = " + VALUE + ")?"
                    + Pattern.quote(" ) result where result.A_ATTNUM = (result.KEYS).x ORDER BY result.table_name,"
                    + " result.pk_name, result.key_seq")),
                    m -> "SELECT current_database() AS \"TABLE_CAT\", n.nspname AS \"TABLE_SCHEM\", ct.relname AS"
                            + " \"TABLE_NAME\", a.attname AS \"COLUMN_NAME\", k.key_seq AS \"KEY_SEQ\", con.conname AS"
                            + " \"PK_NAME\" FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class ct ON"
                            + " (con.conrelid = ct.oid) JOIN pg_catalog.pg_namespace n ON (ct.relnamespace = n.oid)"
                            + " JOIN cacdb_compat.key_columns k ON (k.indexrelid = con.conindid) JOIN"
                            + " pg_catalog.pg_attribute a ON (a.attrelid = ct.oid AND a.attnum = k.attnum)"
                            + " WHERE con.contype = 'p'" + filter("n.nspname", m.group(1))
                            + filter("ct.relname", m.group(2)) + " ORDER BY \"TABLE_NAME\", \"PK_NAME\", \"KEY_SEQ\""),
            new Shim("pgjdbc 42.7 getIndexInfo", Pattern.compile(Pattern.quote("SELECT tmp.TABLE_CAT AS \"TABLE_CAT\",")
                    + ".*" + Pattern.quote(" (information_schema._pg_expandarray(i.indkey)).n AS ORDINAL_POSITION,")
                    + ".*" + Pattern.quote(" FROM pg_catalog.pg_class ct JOIN pg_catalog.pg_namespace n ON"
                    + " (ct.relnamespace = n.oid) JOIN pg_catalog.pg_index i ON (ct.oid = i.indrelid) JOIN"
                    + " pg_catalog.pg_class ci ON (ci.oid = i.indexrelid) JOIN pg_catalog.pg_am am ON (ci.relam ="
                    + " am.oid) LEFT JOIN pg_catalog.pg_description d ON (ci.oid = d.objoid) WHERE true")
                    + "(?: AND n\\.nspname = " + VALUE + ")?(?: AND ct\\.relname = " + VALUE + ")?"
                    + "( AND i\\.indisunique)? ?" + Pattern.quote(") AS tmp ORDER BY \"NON_UNIQUE\", \"TYPE\","
                    + " \"INDEX_NAME\", \"ORDINAL_POSITION\"")),
                    m -> "SELECT current_database() AS \"TABLE_CAT\", n.nspname AS \"TABLE_SCHEM\", ct.relname AS"
                            + " \"TABLE_NAME\", NOT i.indisunique AS \"NON_UNIQUE\", NULL::text AS \"INDEX_QUALIFIER\","
                            + " ci.relname AS \"INDEX_NAME\", CASE i.indisclustered WHEN true THEN 1 ELSE CASE am.amname"
                            + " WHEN 'hash' THEN 2 ELSE 3 END END AS \"TYPE\", k.key_seq AS \"ORDINAL_POSITION\","
                            + " a.attname AS \"COLUMN_NAME\", CASE am.amname WHEN 'btree' THEN CASE WHEN k.descending"
                            + " THEN 'D' ELSE 'A' END ELSE NULL END AS \"ASC_OR_DESC\", ci.reltuples AS"
                            + " \"CARDINALITY\", ci.relpages AS \"PAGES\", pg_catalog.pg_get_expr(i.indpred,"
                            + " i.indrelid) AS \"FILTER_CONDITION\", d.description AS \"REMARKS\""
                            + " FROM pg_catalog.pg_class ct JOIN pg_catalog.pg_namespace n ON (ct.relnamespace = n.oid)"
                            + " JOIN pg_catalog.pg_index i ON (ct.oid = i.indrelid) JOIN pg_catalog.pg_class ci ON"
                            + " (ci.oid = i.indexrelid) JOIN pg_catalog.pg_am am ON (ci.relam = am.oid) JOIN"
                            + " cacdb_compat.key_columns k ON (k.indexrelid = i.indexrelid) JOIN pg_catalog.pg_attribute"
                            + " a ON (a.attrelid = ct.oid AND a.attnum = k.attnum) LEFT JOIN pg_catalog.pg_description"
                            + " d ON (ci.oid = d.objoid) WHERE true" + filter("n.nspname", m.group(1))
                            + filter("ct.relname", m.group(2)) + (m.group(3) != null ? " AND i.indisunique" : "")
                            + " ORDER BY \"NON_UNIQUE\", \"TYPE\", \"INDEX_NAME\", \"ORDINAL_POSITION\""));

    private CatalogQueryShims() {
    }

    /** The replacement of {@code statement} if it is one of the shimmed client queries. */
    public static Optional<String> rewrite(String statement) {
        if (statement.length() < SHIMMED_QUERY_CHARS_MIN) {
            return Optional.empty();
        }
        String normalized = statement.replaceAll("\\s+", " ").trim();
        if (normalized.endsWith(";")) {
            normalized = normalized.substring(0, normalized.length() - 1).trim();
        }
        for (Shim s : SHIMS) {
            Matcher m = s.fingerprint.matcher(normalized);
            if (m.matches()) {
                return Optional.of(s.replacement.apply(m));
            }
        }
        return Optional.empty();
    }

    /** The names of the shims, for documentation and tests. */
    public static List<String> names() {
        return SHIMS.stream().map(Shim::name).toList();
    }

    private static String filter(String column, String value) {
        return value == null ? "" : " AND " + column + " = " + value;
    }

    /** A fingerprint: the text quoted literally except the regular expressions between « and ». */
    private static Pattern exact(String template) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('«', i);
            if (open < 0) {
                re.append(Pattern.quote(template.substring(i)));
                break;
            }
            int close = template.indexOf('»', open);
            re.append(Pattern.quote(template.substring(i, open))).append(template, open + 1, close);
            i = close + 1;
        }
        return Pattern.compile(re.toString());
    }
}
