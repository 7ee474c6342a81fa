package io.cacdb.tpcc.load;

/**
 * Where generated rows go: the JDBC batch writer when loading, a counting sink in tests. Values are {@link Integer},
 * {@link Long}, {@link java.math.BigDecimal}, {@link String}, {@link java.sql.Timestamp} or a {@link SqlNull}, in
 * {@link LoadTable#columns()} order.
 */
public interface RowSink {

    void row(LoadTable table, Object[] values) throws Exception;

    /** A typed SQL NULL (pgjdbc binds a NULL with a type, so the server need not infer one). */
    enum SqlNull {
        INTEGER(java.sql.Types.INTEGER),
        TIMESTAMP(java.sql.Types.TIMESTAMP);

        public final int sqlType;

        SqlNull(int sqlType) {
            this.sqlType = sqlType;
        }
    }
}
