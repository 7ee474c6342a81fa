package io.cacdb.server.sql.pgcatalog;

import io.cacdb.engine.catalog.CatalogSnapshot;
import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.catalog.IndexColumn;
import io.cacdb.engine.catalog.IndexDef;
import io.cacdb.engine.catalog.TableDef;
import io.cacdb.engine.row.ColumnType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The system catalog as PostgreSQL's catalogs describe it, computed from one {@link CatalogSnapshot} (the
 * transaction's view) plus the catalog's own relations: namespaces, relations with OIDs, their attributes, indexes
 * and constraints. Built per scan (a few microseconds per relation); immutable.
 *
 * <p><b>OIDs</b> are derived from cacdb's ids, so they are stable for the life of a relation and the same on every
 * node: a table's is {@code 16384 + 4 * id} (16384 is PostgreSQL's first user OID), an index's {@code 16384 + 4 *
 * indexId + 1} (a primary index shares its table's id, hence the offset), the PRIMARY KEY / UNIQUE constraint of an
 * index {@code 16384 + 4 * indexId + 2}. The catalog's own relations keep PostgreSQL 15's OIDs
 * ({@link PgCatalog}).
 *
 * <p><b>Constraints</b>: the engine keeps no constraint objects; a primary index is a PRIMARY KEY constraint, and a
 * unique index named as CREATE TABLE names a UNIQUE constraint's index ({@code <table>_<columns>_key}) is taken to
 * be one (a CREATE UNIQUE INDEX of exactly that name is indistinguishable).
 */
public final class CatalogModel {

    /** PostgreSQL's FirstNormalObjectId: user objects' OIDs start here. */
    public static final long FIRST_USER_OID = 16384;
    public static final long PG_CATALOG_NAMESPACE = 11;
    public static final long PG_TOAST_NAMESPACE = 99;
    public static final long PUBLIC_NAMESPACE = 2200;
    /** information_schema's OID; PostgreSQL assigns it at initdb (it varies), this one is fixed. */
    public static final long INFORMATION_SCHEMA_NAMESPACE = 13000;
    /** The role every session is shown as: PostgreSQL's bootstrap superuser OID, named as the session's user. */
    public static final long USER_OID = 10;
    /** PostgreSQL 15's predefined role that owns the public schema. */
    public static final long DATABASE_OWNER_ROLE_OID = 6171;
    public static final String DATABASE_OWNER_ROLE = "pg_database_owner";
    /** pg_am rows: heap (tables) and btree (every index). */
    public static final long HEAP_AM = 2;
    public static final long BTREE_AM = 403;
    /** Longest name PostgreSQL keeps (NAMEDATALEN - 1), and the engine's limit for generated index names. */
    static final int NAME_BYTES_MAX = 63;

    /** One relation (pg_class row). {@code kind}: r table, i index, v view. */
    public record Relation(long oid, String name, long namespace, String kind, long accessMethod,
                           List<Attribute> attributes, TableDef table, IndexDef index, boolean hasIndex) {
        public Relation {
            attributes = List.copyOf(attributes);
        }
    }

    /** One attribute (pg_attribute row); {@code defaultText} is the default as pg_get_expr prints it, or null. */
    public record Attribute(long relation, String name, long typeOid, int typmod, short number, boolean notNull,
                            String defaultText, long collation) {
    }

    /** One index (pg_index row): key attribute numbers and indoption flags per key column. */
    public record Index(long oid, long table, IndexDef def, List<Short> keys, List<Short> options) {
        public Index {
            keys = List.copyOf(keys);
            options = List.copyOf(options);
        }
    }

    /** One PRIMARY KEY ('p') or UNIQUE ('u') constraint (pg_constraint row). */
    public record Constraint(long oid, String name, String type, long table, long index, List<Short> keys) {
        public Constraint {
            keys = List.copyOf(keys);
        }
    }

    private final String user;
    private final String database;
    private final List<Relation> relations = new ArrayList<>();
    private final Map<Long, Relation> byOid = new HashMap<>();
    private final List<Index> indexes = new ArrayList<>();
    private final List<Constraint> constraints = new ArrayList<>();

    private CatalogModel(String user, String database) {
        this.user = user;
        this.database = database;
    }

    /** The model of {@code catalog}'s tables and indexes and of the catalog relations {@code system}. */
    public static CatalogModel of(CatalogSnapshot catalog, List<CatalogRelation> system, String user,
            String database) {
        CatalogModel m = new CatalogModel(user, database);
        for (CatalogRelation r : system) {
            long oid = r.oid();
            List<Attribute> attrs = new ArrayList<>();
            short n = 0;
            for (CatalogRelation.Col c : r.catalogColumns()) {
                PgTypeInfo t = PgTypeInfo.byOid(c.typeOid()).orElseThrow();
                attrs.add(new Attribute(oid, c.name(), c.typeOid(), -1, ++n, false, null,
                        t.oid() == PgTypeInfo.NAME ? 950 : t.collation()));
            }
            m.add(new Relation(oid, r.name(), namespaceOid(r.schema()), r.isView() ? "v" : "r", r.isView() ? 0
                    : HEAP_AM, attrs, null, null, false));
        }
        for (TableDef t : catalog.tables()) {
            long oid = tableOid(t.id());
            List<Attribute> attrs = new ArrayList<>();
            for (int i = 0; i < t.columns().size(); i++) {
                ColumnDef c = t.columns().get(i);
                ColumnType type = c.type();
                PgTypeInfo info = PgTypeInfo.byOid(type.kind().pgTypeOid()).orElseThrow();
                attrs.add(new Attribute(oid, c.name(), info.oid(), type.pgTypmod(), (short) (i + 1), !c.nullable(),
                        DefinitionText.defaultExpression(type, c.defaultValue()), info.collation()));
            }
            List<IndexDef> defs = catalog.indexesOf(t.id());
            m.add(new Relation(oid, t.name(), PUBLIC_NAMESPACE, "r", HEAP_AM, attrs, t, null, !defs.isEmpty()));
            for (IndexDef d : defs) {
                long ioid = indexOid(d);
                List<Attribute> iattrs = new ArrayList<>();
                List<Short> keys = new ArrayList<>();
                List<Short> options = new ArrayList<>();
                short n = 0;
                for (IndexColumn ic : d.columns()) {
                    Attribute a = attrs.get(ic.column());
                    iattrs.add(new Attribute(ioid, a.name(), a.typeOid(), a.typmod(), ++n, false, null, a.collation()));
                    keys.add(a.number());
                    // indoption bits: 1 = DESC, 2 = NULLS FIRST
                    options.add((short) ((ic.descending() ? 1 : 0) | (ic.nullsFirst() ? 2 : 0)));
                }
                m.add(new Relation(ioid, d.name(), PUBLIC_NAMESPACE, "i", BTREE_AM, iattrs, null, d, false));
                m.indexes.add(new Index(ioid, oid, d, keys, options));
                if (d.primary() || (d.unique() && isConstraintIndexName(t, d))) {
                    m.constraints.add(new Constraint(ioid + 1, d.name(), d.primary() ? "p" : "u", oid, ioid, keys));
                }
            }
        }
        return m;
    }

    private void add(Relation r) {
        relations.add(r);
        if (byOid.put(r.oid(), r) != null) {
            throw new IllegalStateException("two relations with OID " + r.oid());
        }
    }

    public static long tableOid(long tableId) {
        return FIRST_USER_OID + 4 * tableId;
    }

    public static long indexOid(IndexDef index) {
        return FIRST_USER_OID + 4 * index.id() + 1;
    }

    /** The OID of a schema, or 0 if there is no such schema. */
    public static long namespaceOid(String schema) {
        return switch (schema) {
            case "pg_catalog" -> PG_CATALOG_NAMESPACE;
            case "public" -> PUBLIC_NAMESPACE;
            case "information_schema" -> INFORMATION_SCHEMA_NAMESPACE;
            case "pg_toast" -> PG_TOAST_NAMESPACE;
            default -> 0;
        };
    }

    /** Namespace OID → name, in OID order. */
    public static Map<Long, String> namespaces() {
        Map<Long, String> m = new java.util.LinkedHashMap<>();
        m.put(PG_CATALOG_NAMESPACE, "pg_catalog");
        m.put(PG_TOAST_NAMESPACE, "pg_toast");
        m.put(PUBLIC_NAMESPACE, "public");
        m.put(INFORMATION_SCHEMA_NAMESPACE, "information_schema");
        return m;
    }

    /** Whether {@code d} carries the name CREATE TABLE gives a UNIQUE constraint's index (see the class comment). */
    static boolean isConstraintIndexName(TableDef t, IndexDef d) {
        StringBuilder base = new StringBuilder(t.name());
        for (IndexColumn c : d.columns()) {
            base.append('_').append(t.columns().get(c.column()).name());
        }
        String b = base.toString();
        String name = b + "_key";
        while (name.getBytes(StandardCharsets.UTF_8).length > NAME_BYTES_MAX) {
            b = b.substring(0, b.length() - 1);
            name = b + "_key";
        }
        return d.name().equals(name);
    }

    public String user() {
        return user;
    }

    public String database() {
        return database;
    }

    public List<Relation> relations() {
        return relations;
    }

    public Optional<Relation> relation(long oid) {
        return Optional.ofNullable(byOid.get(oid));
    }

    /** The relation a name finds ({@code name} or {@code schema.name}, as regclass input reads it). */
    public Optional<Relation> relation(String schema, String name) {
        for (Relation r : relations) {
            if (r.name().equals(name) && (schema == null ? r.namespace() != INFORMATION_SCHEMA_NAMESPACE
                    : r.namespace() == namespaceOid(schema))) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    public List<Index> indexes() {
        return indexes;
    }

    public Optional<Index> index(long oid) {
        return indexes.stream().filter(i -> i.oid() == oid).findFirst();
    }

    public List<Constraint> constraints() {
        return constraints;
    }

    public Optional<Constraint> constraint(long oid) {
        return constraints.stream().filter(c -> c.oid() == oid).findFirst();
    }
}
