package io.cacdb.engine.keys;

/**
 * SQL types a key column can have, and the Java type of their values in {@link KeyCodec}.
 */
public enum KeyType {
    /** {@link Short}. */
    SMALLINT,
    /** {@link Integer}. */
    INT,
    /** {@link Long}. */
    BIGINT,
    /** {@link java.math.BigDecimal}, any precision and scale; equal values with different scales encode equal. */
    NUMERIC,
    /** {@link Float}; -0 equals 0, NaN (all NaNs equal) sorts above every number, as in PostgreSQL. */
    REAL,
    /** {@link Double}; -0 equals 0, NaN (all NaNs equal) sorts above every number, as in PostgreSQL. */
    DOUBLE,
    /** {@link String} (varchar, char, text), ordered by Unicode code point (the "C" collation on UTF-8). */
    TEXT,
    /** {@link Boolean}; false before true. */
    BOOLEAN,
    /** {@link java.time.LocalDate}. */
    DATE,
    /** {@link java.time.LocalDateTime} with at most microsecond precision (PostgreSQL's resolution). */
    TIMESTAMP
}
