package io.cacdb.server.session;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The PostgreSQL types a value crossing the seam can have, with their catalog OIDs (fixed by PostgreSQL, clients
 * such as pgjdbc hard-code them), their {@code typlen} as RowDescription reports it, and the Java class a value of the
 * type is carried as.
 *
 * <p>{@link #UNKNOWN} is both PostgreSQL's {@code unknown} type (an untyped literal) and what a parameter declared
 * with OID 0 ("unspecified") starts as; its values are carried as strings.
 */
public enum PgType {
    BOOL(16, 1, Boolean.class),
    INT8(20, 8, Long.class),
    INT2(21, 2, Short.class),
    INT4(23, 4, Integer.class),
    TEXT(25, -1, String.class),
    FLOAT4(700, 4, Float.class),
    FLOAT8(701, 8, Double.class),
    UNKNOWN(705, -2, String.class),
    BPCHAR(1042, -1, String.class),
    VARCHAR(1043, -1, String.class),
    DATE(1082, 4, LocalDate.class),
    TIMESTAMP(1114, 8, LocalDateTime.class),
    /** Carried as an {@link OffsetDateTime}; encoders render it in UTC, the TimeZone the server reports by default. */
    TIMESTAMPTZ(1184, 8, OffsetDateTime.class),
    NUMERIC(1700, -1, BigDecimal.class);

    /** OID 0 in Parse: the client leaves the parameter's type to the server. */
    public static final int UNSPECIFIED_OID = 0;

    private static final Map<Integer, PgType> BY_OID = new HashMap<>();

    static {
        for (PgType t : values()) {
            BY_OID.put(t.oid, t);
        }
    }

    private final int oid;
    private final short typeSize;
    private final Class<?> javaType;

    PgType(int oid, int typeSize, Class<?> javaType) {
        this.oid = oid;
        this.typeSize = (short) typeSize;
        this.javaType = javaType;
    }

    public int oid() {
        return oid;
    }

    /** {@code pg_type.typlen}: bytes of a fixed-size value, -1 for varlena, -2 for a C string. */
    public short typeSize() {
        return typeSize;
    }

    /** The class of values of this type at the seam (boxed; {@code null} is NULL). */
    public Class<?> javaType() {
        return javaType;
    }

    /** The type with this OID, empty for OID 0 and for types the server does not support. */
    public static Optional<PgType> byOid(int oid) {
        return Optional.ofNullable(BY_OID.get(oid));
    }
}
