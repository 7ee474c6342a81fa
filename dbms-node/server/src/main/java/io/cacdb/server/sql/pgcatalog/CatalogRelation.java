package io.cacdb.server.sql.pgcatalog;

import io.cacdb.server.session.PgType;
import io.cacdb.server.sql.relation.RelationColumn;
import io.cacdb.server.sql.relation.VirtualTable;
import io.cacdb.server.sql.relation.VirtualTableContext;
import io.cacdb.server.sql.types.SqlType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * One relation of the system catalog ({@code pg_catalog.pg_class}, {@code information_schema.tables}, ...): its
 * columns with their PostgreSQL types, and the code that produces its rows from a {@link CatalogModel}. The SQL
 * layer carries catalog-only types as the nearest type it has: {@code oid} as bigint, {@code name} and {@code
 * "char"} as text, {@code int2vector}/{@code oidvector} as text in PostgreSQL's output form ({@code 1 2}); their
 * pg_attribute rows keep the PostgreSQL types. Thread-safe (stateless between scans).
 */
public final class CatalogRelation implements VirtualTable {

    /** A column and its PostgreSQL type OID ({@link PgTypeInfo}). */
    public record Col(String name, long typeOid) {
    }

    /** Sets the values of one row by column name; unset columns are NULL. */
    public static final class Row {
        private final CatalogRelation relation;
        private final Object[] values;

        private Row(CatalogRelation relation) {
            this.relation = relation;
            this.values = new Object[relation.columns.size()];
        }

        /** Sets column {@code name}; the value must be of the column's Java class (a programming error otherwise). */
        public Row set(String name, Object value) {
            Integer i = relation.positions.get(name);
            if (i == null) {
                throw new IllegalArgumentException(relation.name + " has no column " + name);
            }
            Class<?> expected = relation.columns.get(i).type().pg().javaType();
            if (value != null && !expected.isInstance(value)) {
                throw new IllegalArgumentException(relation.name + "." + name + " takes " + expected.getSimpleName()
                        + ", not " + value.getClass().getSimpleName());
            }
            values[i] = value;
            return this;
        }
    }

    private final String schema;
    private final String name;
    private final long oid;
    private final boolean view;
    private final List<Col> catalogColumns;
    private final List<RelationColumn> columns;
    private final Map<String, Integer> positions = new HashMap<>();
    private final BiConsumer<CatalogModel, RowSink> producer;
    private final PgCatalog catalog;

    /** Receives the rows of one scan. */
    public interface RowSink {
        /** A new row, added to the result; set its columns. */
        Row row();
    }

    CatalogRelation(PgCatalog catalog, String schema, String name, long oid, boolean view, List<Col> columns,
            BiConsumer<CatalogModel, RowSink> producer) {
        this.catalog = catalog;
        this.schema = Objects.requireNonNull(schema);
        this.name = Objects.requireNonNull(name);
        this.oid = oid;
        this.view = view;
        this.catalogColumns = List.copyOf(columns);
        this.producer = producer;
        List<RelationColumn> cols = new ArrayList<>();
        for (Col c : columns) {
            if (positions.put(c.name(), cols.size()) != null) {
                throw new IllegalArgumentException(name + ": column " + c.name() + " twice");
            }
            cols.add(RelationColumn.of(c.name(), sqlType(c.typeOid())));
        }
        this.columns = List.copyOf(cols);
    }

    /** The SQL layer's type for a catalog column's PostgreSQL type. */
    static SqlType sqlType(long typeOid) {
        if (typeOid == PgTypeInfo.OID) {
            return SqlType.INT8;
        }
        if (typeOid == PgTypeInfo.NAME || typeOid == PgTypeInfo.CHAR || typeOid == PgTypeInfo.INT2VECTOR
                || typeOid == PgTypeInfo.OIDVECTOR) {
            return SqlType.TEXT;
        }
        return SqlType.plain(PgType.byOid((int) typeOid).orElseThrow(() ->
                new IllegalArgumentException("no SQL type for pg_type " + typeOid)));
    }

    @Override
    public String schema() {
        return schema;
    }

    @Override
    public String name() {
        return name;
    }

    public long oid() {
        return oid;
    }

    public boolean isView() {
        return view;
    }

    public List<Col> catalogColumns() {
        return catalogColumns;
    }

    @Override
    public List<RelationColumn> columns() {
        return columns;
    }

    @Override
    public Iterator<Object[]> rows(VirtualTableContext context) {
        List<Row> rows = new ArrayList<>();
        producer.accept(catalog.model(context), () -> {
            Row r = new Row(this);
            rows.add(r);
            return r;
        });
        List<Object[]> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(r.values);
        }
        return out.iterator();
    }
}
