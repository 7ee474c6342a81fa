package io.cacdb.server.sql.pgcatalog;

import io.cacdb.engine.catalog.CatalogSnapshot;
import io.cacdb.server.sql.relation.VirtualTable;
import io.cacdb.server.sql.relation.VirtualTableContext;
import io.cacdb.server.sql.relation.VirtualTables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * The system catalog relations cacdb serves: enough of {@code pg_catalog} and {@code information_schema} for psql
 * 15's {@code \dt}/{@code \d} and pgjdbc 42.7's DatabaseMetaData (docs/sql.md §System catalog). Every relation is
 * computed per scan from the transaction's {@link CatalogSnapshot} ({@link CatalogModel}); relations cacdb has no
 * objects for (descriptions, inheritance, policies, publications, extended statistics, triggers) exist and are
 * empty, so that queries naming them work. Columns are the ones those clients read, with PostgreSQL's names and
 * order; OIDs are PostgreSQL 15's for the catalog itself, derived from cacdb ids for user relations. Thread-safe.
 */
public final class PgCatalog {

    /** The rows of a relation of a feature cacdb does not have (comments, inheritance, policies, ...): none. */
    private static final BiConsumer<CatalogModel, CatalogRelation.RowSink> NO_ROWS = (model, out) -> {
    };

    /** Declared after what its constructor reads (static initialisation runs in order). */
    private static final PgCatalog STANDARD = new PgCatalog();

    private static final long OID = PgTypeInfo.OID;
    private static final long NAME = PgTypeInfo.NAME;
    private static final long CHAR = PgTypeInfo.CHAR;
    private static final long BOOL = PgTypeInfo.BOOL;
    private static final long INT2 = PgTypeInfo.INT2;
    private static final long INT4 = PgTypeInfo.INT4;
    private static final long FLOAT4 = PgTypeInfo.FLOAT4;
    private static final long TEXT = PgTypeInfo.TEXT;
    private static final long INT2VECTOR = PgTypeInfo.INT2VECTOR;
    private static final long OIDVECTOR = PgTypeInfo.OIDVECTOR;

    /** The schema of relations only {@link CatalogQueryShims}' replacement queries read. */
    public static final String COMPAT_SCHEMA = "cacdb_compat";

    private final List<CatalogRelation> relations = new ArrayList<>();
    private final List<CatalogRelation> shimRelations = new ArrayList<>();
    /** The last model built, reused while the catalog, user and database are the same (one object per DDL). */
    private volatile Cached cached;

    private record Cached(CatalogSnapshot snapshot, String user, String database, CatalogModel model) {
    }

    private PgCatalog() {
        defineRelations();
    }

    /** The catalog relations every backend serves by default. */
    public static PgCatalog standard() {
        return STANDARD;
    }

    /** The relations, for {@code SqlBackendConfig.withVirtualTables}. */
    public VirtualTables virtualTables() {
        List<VirtualTable> all = new ArrayList<>(relations);
        all.addAll(shimRelations);
        return VirtualTables.of(all);
    }

    public List<CatalogRelation> relations() {
        return List.copyOf(relations);
    }

    /** The catalog model a scan or a catalog function sees. */
    public CatalogModel model(VirtualTableContext context) {
        return model(context.catalog(), context.user(), context.database());
    }

    public CatalogModel model(CatalogSnapshot snapshot, String user, String database) {
        Cached c = cached;
        if (c != null && c.snapshot == snapshot && c.user.equals(user) && c.database.equals(database)) {
            return c.model;
        }
        CatalogModel m = CatalogModel.of(snapshot, relations, user, database);
        cached = new Cached(snapshot, user, database, m);
        return m;
    }

    // ------------------------------------------------------------------------------------------------ definitions

    private static CatalogRelation.Col col(String name, long type) {
        return new CatalogRelation.Col(name, type);
    }

    private void table(String name, long oid, List<CatalogRelation.Col> cols,
            BiConsumer<CatalogModel, CatalogRelation.RowSink> rows) {
        relations.add(new CatalogRelation(this, "pg_catalog", name, oid, false, cols, rows));
    }

    private void view(String schema, String name, long oid, List<CatalogRelation.Col> cols,
            BiConsumer<CatalogModel, CatalogRelation.RowSink> rows) {
        relations.add(new CatalogRelation(this, schema, name, oid, true, cols, rows));
    }

    private static String vector(List<Short> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(" "));
    }

    private static String array(List<Short> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
    }

    private void defineRelations() {
        table("pg_namespace", 2615, List.of(col("oid", OID), col("nspname", NAME), col("nspowner", OID),
                col("nspacl", TEXT)), (m, out) -> {
                    for (Map.Entry<Long, String> e : CatalogModel.namespaces().entrySet()) {
                        // as in PostgreSQL 15, public belongs to the database owner's predefined role
                        out.row().set("oid", e.getKey()).set("nspname", e.getValue()).set("nspowner",
                                e.getKey() == CatalogModel.PUBLIC_NAMESPACE ? CatalogModel.DATABASE_OWNER_ROLE_OID
                                        : CatalogModel.USER_OID);
                    }
                });
        table("pg_class", 1259, List.of(col("oid", OID), col("relname", NAME), col("relnamespace", OID),
                col("reltype", OID), col("reloftype", OID), col("relowner", OID), col("relam", OID),
                col("relfilenode", OID), col("reltablespace", OID), col("relpages", INT4), col("reltuples", FLOAT4),
                col("relallvisible", INT4), col("reltoastrelid", OID), col("relhasindex", BOOL),
                col("relisshared", BOOL), col("relpersistence", CHAR), col("relkind", CHAR), col("relnatts", INT2),
                col("relchecks", INT2), col("relhasrules", BOOL), col("relhastriggers", BOOL),
                col("relhassubclass", BOOL), col("relrowsecurity", BOOL), col("relforcerowsecurity", BOOL),
                col("relispopulated", BOOL), col("relreplident", CHAR), col("relispartition", BOOL),
                col("relrewrite", OID), col("relacl", TEXT), col("reloptions", TEXT), col("relpartbound", TEXT)),
                (m, out) -> {
                    for (CatalogModel.Relation r : m.relations()) {
                        boolean index = r.kind().equals("i");
                        out.row().set("oid", r.oid()).set("relname", r.name()).set("relnamespace", r.namespace())
                                .set("reltype", 0L).set("reloftype", 0L).set("relowner", CatalogModel.USER_OID)
                                .set("relam", r.accessMethod()).set("relfilenode", r.kind().equals("v") ? 0L : r.oid())
                                .set("reltablespace", 0L).set("relpages", index ? 1 : 0)
                                // PostgreSQL: -1 = never analysed (tables), 0 for a new index
                                .set("reltuples", index ? 0f : -1f).set("relallvisible", 0)
                                .set("reltoastrelid", 0L).set("relhasindex", r.hasIndex()).set("relisshared", false)
                                .set("relpersistence", "p").set("relkind", r.kind())
                                .set("relnatts", (short) r.attributes().size()).set("relchecks", (short) 0)
                                .set("relhasrules", false).set("relhastriggers", false).set("relhassubclass", false)
                                .set("relrowsecurity", false).set("relforcerowsecurity", false)
                                .set("relispopulated", true).set("relreplident", index ? "n" : "d")
                                .set("relispartition", false).set("relrewrite", 0L);
                    }
                });
        table("pg_attribute", 1249, List.of(col("attrelid", OID), col("attname", NAME), col("atttypid", OID),
                col("attstattarget", INT4), col("attlen", INT2), col("attnum", INT2), col("attndims", INT4),
                col("attcacheoff", INT4), col("atttypmod", INT4), col("attbyval", BOOL), col("attalign", CHAR),
                col("attstorage", CHAR), col("attcompression", CHAR), col("attnotnull", BOOL),
                col("atthasdef", BOOL), col("atthasmissing", BOOL), col("attidentity", CHAR),
                col("attgenerated", CHAR), col("attisdropped", BOOL), col("attislocal", BOOL),
                col("attinhcount", INT4), col("attcollation", OID), col("attacl", TEXT), col("attoptions", TEXT)),
                (m, out) -> {
                    for (CatalogModel.Relation r : m.relations()) {
                        for (CatalogModel.Attribute a : r.attributes()) {
                            PgTypeInfo t = PgTypeInfo.byOid(a.typeOid()).orElseThrow();
                            out.row().set("attrelid", a.relation()).set("attname", a.name())
                                    .set("atttypid", a.typeOid()).set("attstattarget", -1).set("attlen", t.length())
                                    .set("attnum", a.number()).set("attndims", 0).set("attcacheoff", -1)
                                    .set("atttypmod", a.typmod()).set("attbyval", t.byValue())
                                    .set("attalign", t.align()).set("attstorage", t.storage())
                                    .set("attcompression", "").set("attnotnull", a.notNull())
                                    .set("atthasdef", a.defaultText() != null).set("atthasmissing", false)
                                    .set("attidentity", "").set("attgenerated", "").set("attisdropped", false)
                                    .set("attislocal", true).set("attinhcount", 0)
                                    .set("attcollation", a.collation());
                        }
                    }
                });
        table("pg_type", 1247, List.of(col("oid", OID), col("typname", NAME), col("typnamespace", OID),
                col("typowner", OID), col("typlen", INT2), col("typbyval", BOOL), col("typtype", CHAR),
                col("typcategory", CHAR), col("typispreferred", BOOL), col("typisdefined", BOOL),
                col("typdelim", CHAR), col("typrelid", OID), col("typelem", OID), col("typarray", OID),
                col("typinput", TEXT), col("typoutput", TEXT), col("typreceive", TEXT), col("typsend", TEXT),
                col("typalign", CHAR), col("typstorage", CHAR), col("typnotnull", BOOL), col("typbasetype", OID),
                col("typtypmod", INT4), col("typndims", INT4), col("typcollation", OID), col("typdefault", TEXT),
                col("typacl", TEXT)), (m, out) -> {
                    for (PgTypeInfo t : PgTypeInfo.all()) {
                        out.row().set("oid", t.oid()).set("typname", t.name())
                                .set("typnamespace", CatalogModel.PG_CATALOG_NAMESPACE)
                                .set("typowner", CatalogModel.USER_OID).set("typlen", t.length())
                                .set("typbyval", t.byValue()).set("typtype", t.category().equals("X") ? "p" : "b")
                                .set("typcategory", t.category()).set("typispreferred", t.preferred())
                                .set("typisdefined", true).set("typdelim", ",").set("typrelid", 0L)
                                .set("typelem", t.elementOid()).set("typarray", t.arrayOid())
                                .set("typinput", t.name() + "in").set("typoutput", t.name() + "out")
                                .set("typreceive", t.name() + "recv").set("typsend", t.name() + "send")
                                .set("typalign", t.align()).set("typstorage", t.storage()).set("typnotnull", false)
                                .set("typbasetype", 0L).set("typtypmod", -1).set("typndims", 0)
                                .set("typcollation", t.collation());
                    }
                });
        table("pg_index", 2610, List.of(col("indexrelid", OID), col("indrelid", OID), col("indnatts", INT2),
                col("indnkeyatts", INT2), col("indisunique", BOOL), col("indnullsnotdistinct", BOOL),
                col("indisprimary", BOOL), col("indisexclusion", BOOL), col("indimmediate", BOOL),
                col("indisclustered", BOOL), col("indisvalid", BOOL), col("indcheckxmin", BOOL),
                col("indisready", BOOL), col("indislive", BOOL), col("indisreplident", BOOL),
                col("indkey", INT2VECTOR), col("indcollation", OIDVECTOR), col("indclass", OIDVECTOR),
                col("indoption", INT2VECTOR), col("indexprs", TEXT), col("indpred", TEXT)), (m, out) -> {
                    for (CatalogModel.Index i : m.indexes()) {
                        short n = (short) i.keys().size();
                        out.row().set("indexrelid", i.oid()).set("indrelid", i.table()).set("indnatts", n)
                                .set("indnkeyatts", n).set("indisunique", i.def().unique())
                                .set("indnullsnotdistinct", false).set("indisprimary", i.def().primary())
                                .set("indisexclusion", false).set("indimmediate", true).set("indisclustered", false)
                                .set("indisvalid", true).set("indcheckxmin", false).set("indisready", true)
                                .set("indislive", true).set("indisreplident", false).set("indkey", vector(i.keys()))
                                .set("indoption", vector(i.options()));
                    }
                });
        table("pg_constraint", 2606, List.of(col("oid", OID), col("conname", NAME), col("connamespace", OID),
                col("contype", CHAR), col("condeferrable", BOOL), col("condeferred", BOOL), col("convalidated", BOOL),
                col("conrelid", OID), col("contypid", OID), col("conindid", OID), col("conparentid", OID),
                col("confrelid", OID), col("confupdtype", CHAR), col("confdeltype", CHAR),
                col("confmatchtype", CHAR), col("conislocal", BOOL), col("coninhcount", INT4),
                col("connoinherit", BOOL), col("conkey", TEXT), col("confkey", TEXT), col("conbin", TEXT)),
                (m, out) -> {
                    for (CatalogModel.Constraint c : m.constraints()) {
                        out.row().set("oid", c.oid()).set("conname", c.name())
                                .set("connamespace", CatalogModel.PUBLIC_NAMESPACE).set("contype", c.type())
                                .set("condeferrable", false).set("condeferred", false).set("convalidated", true)
                                .set("conrelid", c.table()).set("contypid", 0L).set("conindid", c.index())
                                .set("conparentid", 0L).set("confrelid", 0L).set("confupdtype", " ")
                                .set("confdeltype", " ").set("confmatchtype", " ").set("conislocal", true)
                                .set("coninhcount", 0).set("connoinherit", true).set("conkey", array(c.keys()));
                    }
                });
        table("pg_attrdef", 2604, List.of(col("oid", OID), col("adrelid", OID), col("adnum", INT2),
                col("adbin", TEXT)), (m, out) -> {
                    for (CatalogModel.Relation r : m.relations()) {
                        for (CatalogModel.Attribute a : r.attributes()) {
                            if (a.defaultText() != null) {
                                // adbin holds the expression's text; pg_get_expr returns it as is
                                out.row().set("oid", (r.oid() << 11) + a.number()).set("adrelid", r.oid())
                                        .set("adnum", a.number()).set("adbin", a.defaultText());
                            }
                        }
                    }
                });
        table("pg_description", 2609, List.of(col("objoid", OID), col("classoid", OID), col("objsubid", INT4),
                col("description", TEXT)), NO_ROWS);
        table("pg_inherits", 2611, List.of(col("inhrelid", OID), col("inhparent", OID), col("inhseqno", INT4),
                col("inhdetachpending", BOOL)), NO_ROWS);
        table("pg_am", 2601, List.of(col("oid", OID), col("amname", NAME), col("amhandler", TEXT),
                col("amtype", CHAR)), (m, out) -> {
                    out.row().set("oid", CatalogModel.HEAP_AM).set("amname", "heap")
                            .set("amhandler", "heap_tableam_handler").set("amtype", "t");
                    out.row().set("oid", CatalogModel.BTREE_AM).set("amname", "btree").set("amhandler", "bthandler")
                            .set("amtype", "i");
                });
        table("pg_database", 1262, List.of(col("oid", OID), col("datname", NAME), col("datdba", OID),
                col("encoding", INT4), col("datlocprovider", CHAR), col("datistemplate", BOOL),
                col("datallowconn", BOOL), col("datconnlimit", INT4), col("datcollate", TEXT), col("datctype", TEXT),
                col("datacl", TEXT)), (m, out) -> out.row().set("oid", 5L).set("datname", m.database())
                .set("datdba", CatalogModel.USER_OID).set("encoding", 6).set("datlocprovider", "c")
                .set("datistemplate", false).set("datallowconn", true).set("datconnlimit", -1).set("datcollate", "C")
                .set("datctype", "C"));
        view("pg_catalog", "pg_roles", 12001, List.of(col("rolname", NAME), col("rolsuper", BOOL),
                col("rolinherit", BOOL), col("rolcreaterole", BOOL), col("rolcreatedb", BOOL),
                col("rolcanlogin", BOOL), col("rolreplication", BOOL), col("rolconnlimit", INT4),
                col("rolpassword", TEXT), col("rolvaliduntil", TEXT), col("rolbypassrls", BOOL),
                col("rolconfig", TEXT), col("oid", OID)), (m, out) -> out.row().set("rolname", m.user())
                .set("rolsuper", true).set("rolinherit", true).set("rolcreaterole", true).set("rolcreatedb", true)
                .set("rolcanlogin", true).set("rolreplication", false).set("rolconnlimit", -1)
                .set("rolpassword", "********").set("rolbypassrls", true).set("oid", CatalogModel.USER_OID));
        view("pg_catalog", "pg_user", 12002, List.of(col("usename", NAME), col("usesysid", OID),
                col("usecreatedb", BOOL), col("usesuper", BOOL), col("userepl", BOOL), col("usebypassrls", BOOL),
                col("passwd", TEXT), col("valuntil", TEXT), col("useconfig", TEXT)), (m, out) -> out.row()
                .set("usename", m.user()).set("usesysid", CatalogModel.USER_OID).set("usecreatedb", true)
                .set("usesuper", true).set("userepl", false).set("usebypassrls", true).set("passwd", "********"));
        table("pg_collation", 3456, List.of(col("oid", OID), col("collname", NAME), col("collnamespace", OID),
                col("collowner", OID), col("collprovider", CHAR), col("collisdeterministic", BOOL),
                col("collencoding", INT4), col("collcollate", TEXT), col("collctype", TEXT)), (m, out) -> {
                    collation(out, PgTypeInfo.DEFAULT_COLLATION_OID, "default", "d", null);
                    collation(out, 950L, "C", "c", "C");
                    collation(out, 951L, "POSIX", "c", "POSIX");
                });
        table("pg_tablespace", 1213, List.of(col("oid", OID), col("spcname", NAME), col("spcowner", OID)),
                (m, out) -> {
                    out.row().set("oid", 1663L).set("spcname", "pg_default").set("spcowner", CatalogModel.USER_OID);
                    out.row().set("oid", 1664L).set("spcname", "pg_global").set("spcowner", CatalogModel.USER_OID);
                });
        // relations of features cacdb does not have: present and empty
        table("pg_trigger", 2620, List.of(col("oid", OID), col("tgrelid", OID), col("tgparentid", OID),
                col("tgname", NAME), col("tgfoid", OID), col("tgtype", INT2), col("tgenabled", CHAR),
                col("tgisinternal", BOOL), col("tgconstraint", OID)), NO_ROWS);
        table("pg_policy", 3256, List.of(col("oid", OID), col("polname", NAME), col("polrelid", OID),
                col("polcmd", CHAR), col("polpermissive", BOOL), col("polroles", TEXT), col("polqual", TEXT),
                col("polwithcheck", TEXT)), NO_ROWS);
        table("pg_statistic_ext", 3381, List.of(col("oid", OID), col("stxrelid", OID), col("stxname", NAME),
                col("stxnamespace", OID), col("stxowner", OID), col("stxstattarget", INT4), col("stxkeys", TEXT),
                col("stxkind", TEXT)), NO_ROWS);
        table("pg_publication", 6104, List.of(col("oid", OID), col("pubname", NAME), col("pubowner", OID),
                col("puballtables", BOOL), col("pubinsert", BOOL), col("pubupdate", BOOL), col("pubdelete", BOOL),
                col("pubtruncate", BOOL), col("pubviaroot", BOOL)), NO_ROWS);
        table("pg_publication_rel", 6106, List.of(col("oid", OID), col("prpubid", OID), col("prrelid", OID),
                col("prqual", TEXT), col("prattrs", TEXT)), NO_ROWS);
        table("pg_publication_namespace", 6237, List.of(col("oid", OID), col("pnpubid", OID),
                col("pnnspid", OID)), NO_ROWS);
        defineInformationSchema();
        // one row per key column of every index: what pgjdbc's _pg_expandarray(indkey) computes (CatalogQueryShims)
        shimRelations.add(new CatalogRelation(this, COMPAT_SCHEMA, "key_columns", 0, true, List.of(
                col("indexrelid", OID), col("indrelid", OID), col("key_seq", INT4), col("attnum", INT2),
                col("descending", BOOL)), (m, out) -> {
                    for (CatalogModel.Index i : m.indexes()) {
                        for (int k = 0; k < i.keys().size(); k++) {
                            out.row().set("indexrelid", i.oid()).set("indrelid", i.table()).set("key_seq", k + 1)
                                    .set("attnum", i.keys().get(k)).set("descending", (i.options().get(k) & 1) != 0);
                        }
                    }
                }));
    }

    private static void collation(CatalogRelation.RowSink out, long oid, String name, String provider, String locale) {
        out.row().set("oid", oid).set("collname", name).set("collnamespace", CatalogModel.PG_CATALOG_NAMESPACE)
                .set("collowner", CatalogModel.USER_OID).set("collprovider", provider)
                .set("collisdeterministic", true).set("collencoding", -1).set("collcollate", locale)
                .set("collctype", locale);
    }

    private void defineInformationSchema() {
        String is = "information_schema";
        view(is, "tables", 13100, List.of(col("table_catalog", NAME), col("table_schema", NAME),
                col("table_name", NAME), col("table_type", TEXT), col("self_referencing_column_name", NAME),
                col("reference_generation", TEXT), col("user_defined_type_catalog", NAME),
                col("user_defined_type_schema", NAME), col("user_defined_type_name", NAME),
                col("is_insertable_into", TEXT), col("is_typed", TEXT), col("commit_action", TEXT)), (m, out) -> {
                    Map<Long, String> ns = CatalogModel.namespaces();
                    for (CatalogModel.Relation r : m.relations()) {
                        if (r.kind().equals("i")) {
                            continue;
                        }
                        boolean table = r.kind().equals("r");
                        out.row().set("table_catalog", m.database()).set("table_schema", ns.get(r.namespace()))
                                .set("table_name", r.name()).set("table_type", table ? "BASE TABLE" : "VIEW")
                                .set("is_insertable_into", table && r.table() != null ? "YES" : "NO")
                                .set("is_typed", "NO");
                    }
                });
        view(is, "columns", 13101, List.of(col("table_catalog", NAME), col("table_schema", NAME),
                col("table_name", NAME), col("column_name", NAME), col("ordinal_position", INT4),
                col("column_default", TEXT), col("is_nullable", TEXT), col("data_type", TEXT),
                col("character_maximum_length", INT4), col("character_octet_length", INT4),
                col("numeric_precision", INT4), col("numeric_precision_radix", INT4), col("numeric_scale", INT4),
                col("datetime_precision", INT4), col("udt_catalog", NAME), col("udt_schema", NAME),
                col("udt_name", NAME), col("is_identity", TEXT), col("is_generated", TEXT),
                col("is_updatable", TEXT)), (m, out) -> {
                    Map<Long, String> ns = CatalogModel.namespaces();
                    for (CatalogModel.Relation r : m.relations()) {
                        if (r.kind().equals("i")) {
                            continue;
                        }
                        for (CatalogModel.Attribute a : r.attributes()) {
                            PgTypeInfo t = PgTypeInfo.byOid(a.typeOid()).orElseThrow();
                            CatalogRelation.Row row = out.row().set("table_catalog", m.database())
                                    .set("table_schema", ns.get(r.namespace())).set("table_name", r.name())
                                    .set("column_name", a.name()).set("ordinal_position", (int) a.number())
                                    .set("column_default", a.defaultText())
                                    .set("is_nullable", a.notNull() ? "NO" : "YES")
                                    .set("data_type", t.oid() == PgTypeInfo.NAME || t.oid() == PgTypeInfo.CHAR
                                            || t.category().equals("A") ? "USER-DEFINED" : t.formatName())
                                    .set("udt_catalog", m.database()).set("udt_schema", "pg_catalog")
                                    .set("udt_name", t.name()).set("is_identity", "NO").set("is_generated", "NEVER")
                                    .set("is_updatable", r.table() != null ? "YES" : "NO");
                            informationSchemaSizes(row, t, a.typmod());
                        }
                    }
                });
    }

    /** information_schema.columns' length, precision and scale columns, as PostgreSQL's view computes them. */
    private static void informationSchemaSizes(CatalogRelation.Row row, PgTypeInfo t, int typmod) {
        long oid = t.oid();
        if (oid == PgTypeInfo.VARCHAR || oid == PgTypeInfo.BPCHAR || oid == PgTypeInfo.TEXT) {
            int length = typmod >= 0 ? typmod - 4 : -1;
            if (length >= 0) {
                row.set("character_maximum_length", length);
            }
            // UTF8: at most 4 bytes per character; unbounded text is capped at 1 GiB as in PostgreSQL
            row.set("character_octet_length", length >= 0 ? length * 4 : 1_073_741_824);
        } else if (oid == PgTypeInfo.INT2 || oid == PgTypeInfo.INT4 || oid == PgTypeInfo.INT8) {
            row.set("numeric_precision", oid == PgTypeInfo.INT2 ? 16 : oid == PgTypeInfo.INT4 ? 32 : 64)
                    .set("numeric_precision_radix", 2).set("numeric_scale", 0);
        } else if (oid == PgTypeInfo.FLOAT4 || oid == PgTypeInfo.FLOAT8) {
            row.set("numeric_precision", oid == PgTypeInfo.FLOAT4 ? 24 : 53).set("numeric_precision_radix", 2);
        } else if (oid == PgTypeInfo.NUMERIC) {
            row.set("numeric_precision_radix", 10);
            if (typmod >= 4) {
                row.set("numeric_precision", ((typmod - 4) >> 16) & 0xffff).set("numeric_scale", (typmod - 4) & 0xffff);
            }
        } else if (oid == PgTypeInfo.DATE) {
            row.set("datetime_precision", 0);
        } else if (oid == PgTypeInfo.TIMESTAMP || oid == PgTypeInfo.TIMESTAMPTZ) {
            row.set("datetime_precision", 6);
        }
    }
}
