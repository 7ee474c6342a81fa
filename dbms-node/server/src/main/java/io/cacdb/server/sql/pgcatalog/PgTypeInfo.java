package io.cacdb.server.sql.pgcatalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rows of {@code pg_type}: the types a value can have in cacdb (the column types, plus {@code timestamptz},
 * {@code unknown}, and the catalog's own {@code oid}, {@code name}, {@code "char"}, {@code int2vector}), with
 * PostgreSQL 15's OIDs and attributes so that clients' type lookups (pgjdbc's TypeInfoCache, psql's format_type)
 * get PostgreSQL's answers. Immutable.
 *
 * @param oid pg_type.oid (PostgreSQL's)
 * @param name typname
 * @param length typlen: bytes of a fixed-size type, -1 variable, -2 NUL-terminated
 * @param byValue typbyval
 * @param category typcategory (B boolean, N numeric, S string, D datetime, U user/other, X unknown, A array)
 * @param preferred typispreferred
 * @param arrayOid typarray (0: none listed)
 * @param elementOid typelem (an array's element type, 0 otherwise)
 * @param collation typcollation: 100 (default) for collatable string types, 0 otherwise
 * @param align typalign
 * @param storage typstorage
 * @param formatName what format_type prints without a modifier
 */
public record PgTypeInfo(long oid, String name, short length, boolean byValue, String category, boolean preferred,
                         long arrayOid, long elementOid, long collation, String align, String storage,
                         String formatName) {

    /** pg_collation.oid of the database's default collation. */
    public static final long DEFAULT_COLLATION_OID = 100;

    public static final long BOOL = 16;
    public static final long CHAR = 18;
    public static final long NAME = 19;
    public static final long INT8 = 20;
    public static final long INT2 = 21;
    public static final long INT2VECTOR = 22;
    public static final long INT4 = 23;
    public static final long TEXT = 25;
    public static final long OID = 26;
    public static final long OIDVECTOR = 30;
    public static final long FLOAT4 = 700;
    public static final long FLOAT8 = 701;
    public static final long UNKNOWN = 705;
    public static final long BPCHAR = 1042;
    public static final long VARCHAR = 1043;
    public static final long DATE = 1082;
    public static final long TIMESTAMP = 1114;
    public static final long TIMESTAMPTZ = 1184;
    public static final long NUMERIC = 1700;

    private static final Map<Long, PgTypeInfo> BY_OID = new LinkedHashMap<>();

    static {
        add(BOOL, "bool", 1, true, "B", true, 1000, 0, 0, "c", "p", "boolean");
        add(CHAR, "char", 1, true, "Z", false, 1002, 0, 0, "c", "p", "\"char\"");
        add(NAME, "name", 64, false, "S", false, 1003, CHAR, 950, "c", "p", "name");
        add(INT8, "int8", 8, true, "N", false, 1016, 0, 0, "d", "p", "bigint");
        add(INT2, "int2", 2, true, "N", false, 1005, 0, 0, "s", "p", "smallint");
        add(INT2VECTOR, "int2vector", -1, false, "A", false, 1006, INT2, 0, "i", "p", "int2vector");
        add(INT4, "int4", 4, true, "N", false, 1007, 0, 0, "i", "p", "integer");
        add(TEXT, "text", -1, false, "S", true, 1009, 0, DEFAULT_COLLATION_OID, "i", "x", "text");
        add(OID, "oid", 4, true, "N", true, 1028, 0, 0, "i", "p", "oid");
        add(OIDVECTOR, "oidvector", -1, false, "A", false, 1013, OID, 0, "i", "p", "oidvector");
        add(FLOAT4, "float4", 4, true, "N", false, 1021, 0, 0, "i", "p", "real");
        add(FLOAT8, "float8", 8, true, "N", true, 1022, 0, 0, "d", "p", "double precision");
        add(UNKNOWN, "unknown", -2, false, "X", false, 0, 0, 0, "c", "p", "unknown");
        add(BPCHAR, "bpchar", -1, false, "S", false, 1014, 0, DEFAULT_COLLATION_OID, "i", "x", "character");
        add(VARCHAR, "varchar", -1, false, "S", false, 1015, 0, DEFAULT_COLLATION_OID, "i", "x",
                "character varying");
        add(DATE, "date", 4, true, "D", false, 1182, 0, 0, "i", "p", "date");
        add(TIMESTAMP, "timestamp", 8, true, "D", false, 1115, 0, 0, "d", "p", "timestamp without time zone");
        add(TIMESTAMPTZ, "timestamptz", 8, true, "D", true, 1185, 0, 0, "d", "p", "timestamp with time zone");
        add(NUMERIC, "numeric", -1, false, "N", false, 1231, 0, 0, "i", "m", "numeric");
    }

    private static void add(long oid, String name, int length, boolean byValue, String category, boolean preferred,
            long arrayOid, long elementOid, long collation, String align, String storage, String formatName) {
        BY_OID.put(oid, new PgTypeInfo(oid, name, (short) length, byValue, category, preferred, arrayOid, elementOid,
                collation, align, storage, formatName));
    }

    public static List<PgTypeInfo> all() {
        return List.copyOf(BY_OID.values());
    }

    public static Optional<PgTypeInfo> byOid(long oid) {
        return Optional.ofNullable(BY_OID.get(oid));
    }

    /** The type named {@code typname} (pg_type's name: int4, varchar, ...). */
    public static Optional<PgTypeInfo> byName(String typname) {
        return BY_OID.values().stream().filter(t -> t.name.equals(typname)).findFirst();
    }

    /**
     * PostgreSQL's {@code format_type(oid, typmod)}: the SQL name with the modifier a typmod encodes
     * ({@code character varying(10)}, {@code numeric(12,2)}, {@code character(9)}); a type not listed here prints as
     * PostgreSQL prints an unknown OID, {@code ???}; a NULL typmod (-1) prints no modifier.
     */
    public static String formatType(long oid, int typmod) {
        PgTypeInfo t = BY_OID.get(oid);
        if (t == null) {
            return "???";
        }
        if (typmod >= 0) {
            if (oid == VARCHAR || oid == BPCHAR) {
                return t.formatName + "(" + (typmod - 4) + ")";
            }
            if (oid == NUMERIC && typmod >= 4) {
                int m = typmod - 4;
                return "numeric(" + ((m >> 16) & 0xffff) + "," + (m & 0xffff) + ")";
            }
        }
        if (oid == BPCHAR && typmod < 0) {
            return "bpchar";
        }
        return t.formatName;
    }
}
