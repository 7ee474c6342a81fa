package io.cacdb.server.sql.plan;

import io.cacdb.engine.catalog.IndexDef;
import io.cacdb.server.sql.expr.Expr;
import io.cacdb.server.sql.types.SqlType;
import java.util.List;

/**
 * How a scan reads a stored table: which index (null: the primary index, or the hidden-row-id order of a table
 * without a key), the values of an equality prefix of its key columns, an optional range on the next key column,
 * the direction, and whether it is a point lookup (every column of the primary key given: one {@code get}).
 * Expressions read constants, parameters and the slots of relations joined before this one (index nested loop).
 *
 * @param keyTypes the SQL type of each index key column, in index order
 * @param keyDescending whether each key column is stored descending
 */
public record AccessPath(IndexDef index, List<SqlType> keyTypes, List<Boolean> keyDescending,
                         List<Expr> equalities, Expr lower, boolean lowerInclusive, Expr upper,
                         boolean upperInclusive, boolean descending, boolean point) {

    public AccessPath {
        equalities = List.copyOf(equalities);
    }

    /** A scan of the whole primary index (or row-id order) with no bounds. */
    public static AccessPath full(boolean descending) {
        return new AccessPath(null, List.of(), List.of(), List.of(), null, false, null, false, descending, false);
    }

    public boolean isFull() {
        return equalities.isEmpty() && lower == null && upper == null;
    }

    /** The index name to scan, null for the primary index. */
    public String indexName() {
        return index == null || index.primary() ? null : index.name();
    }
}
