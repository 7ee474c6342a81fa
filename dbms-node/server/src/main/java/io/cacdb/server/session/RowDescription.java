package io.cacdb.server.session;

import java.util.List;

/** The columns of the rows a statement returns, in order. */
public record RowDescription(List<Column> columns) {

    public RowDescription {
        columns = List.copyOf(columns);
    }

    public int size() {
        return columns.size();
    }

    public Column column(int i) {
        return columns.get(i);
    }
}
