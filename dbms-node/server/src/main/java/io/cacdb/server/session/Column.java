package io.cacdb.server.session;

import java.util.Objects;

/**
 * One column of a result: what a RowDescription field says about it, except the format code, which the protocol
 * server fills in from the client's request.
 *
 * @param name column label (case as the client will see it; PostgreSQL folds unquoted names to lower case)
 * @param type the column's type
 * @param typeModifier {@code atttypmod}: -1 for none; {@code n + 4} for varchar(n)/char(n); {@code ((p << 16) | s) +
 *     4} for numeric(p, s) (see {@link #varchar}, {@link #numeric})
 * @param tableOid OID of the table the column comes from, 0 if it is not a plain table column
 * @param columnNumber attribute number of the column in that table, 0 if none
 */
public record Column(String name, PgType type, int typeModifier, int tableOid, short columnNumber) {

    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    /** A computed column (no table) without type modifier. */
    public Column(String name, PgType type) {
        this(name, type, -1, 0, (short) 0);
    }

    /** The {@code atttypmod} of varchar(n) and char(n). */
    public static int varchar(int length) {
        return length + 4;
    }

    /** The {@code atttypmod} of numeric(precision, scale). */
    public static int numeric(int precision, int scale) {
        return ((precision << 16) | scale) + 4;
    }
}
