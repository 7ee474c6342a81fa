package io.cacdb.server.sql.relation;

import io.cacdb.server.sql.types.SqlType;
import java.util.Objects;

/** One column of a relation as the SQL layer sees it. */
public record RelationColumn(String name, SqlType type, boolean nullable) {

    public RelationColumn {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    public static RelationColumn of(String name, SqlType type) {
        return new RelationColumn(name, type, true);
    }
}
