package io.cacdb.server.sql.backend;

import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import io.cacdb.server.sql.parse.IsolationMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A session's run-time parameters (SET/SHOW/RESET): the common PostgreSQL ones with their defaults, which of them
 * are reported to the client with ParameterStatus when they change, and which may not change. Custom parameters
 * (a name with a dot) are accepted as PostgreSQL does; other unknown names are 42704. Belongs to one session.
 */
final class SessionSettings {

    /** What the SQL layer knows about one parameter. */
    private record Definition(String name, String defaultValue, boolean reported, boolean readOnly) {
    }

    private static final Map<String, Definition> KNOWN = new LinkedHashMap<>();

    private static void define(String name, String value, boolean reported, boolean readOnly) {
        KNOWN.put(name.toLowerCase(Locale.ROOT), new Definition(name, value, reported, readOnly));
    }

    /** What {@code version()} and {@code server_version} say; pgjdbc and libpq read the leading 15. */
    static final String SERVER_VERSION = "15.0 (cacdb)";

    static {
        define("application_name", "", true, false);
        define("client_encoding", "UTF8", true, false);
        define("DateStyle", "ISO, MDY", true, false);
        define("TimeZone", "UTC", true, false);
        define("IntervalStyle", "postgres", true, false);
        define("integer_datetimes", "on", true, true);
        define("standard_conforming_strings", "on", true, false);
        define("server_version", SERVER_VERSION, true, true);
        define("server_version_num", "150000", false, true);
        define("server_encoding", "UTF8", true, true);
        define("is_superuser", "on", true, true);
        define("session_authorization", "", true, true);
        define("in_hot_standby", "off", true, true);
        define("default_transaction_read_only", "off", true, false);
        define("default_transaction_isolation", "read committed", false, false);
        define("transaction_isolation", "read committed", false, false);
        define("transaction_read_only", "off", false, false);
        define("search_path", "\"$user\", public", false, false);
        define("client_min_messages", "notice", false, false);
        define("extra_float_digits", "1", false, false);
        define("statement_timeout", "0", false, false);
        define("lock_timeout", "0", false, false);
        define("idle_in_transaction_session_timeout", "0", false, false);
        define("synchronous_commit", "on", false, false);
        define("bytea_output", "hex", false, false);
        define("escape_string_warning", "on", false, false);
        define("max_identifier_length", "63", false, true);
        define("max_index_keys", "32", false, true);
        define("block_size", "8192", false, true);
        define("lc_messages", "C", false, false);
        define("lc_monetary", "C", false, false);
        define("lc_numeric", "C", false, false);
        define("lc_time", "C", false, false);
        define("jit", "off", false, false);
        define("row_security", "on", false, false);
        define("plan_cache_mode", "auto", false, false);
        define("work_mem", "4MB", false, false);
        define("join_collapse_limit", "8", false, false);
        define("geqo", "on", false, false);
    }

    private final Map<String, String> values = new LinkedHashMap<>();

    SessionSettings(String user) {
        for (Definition d : KNOWN.values()) {
            values.put(key(d.name), d.defaultValue);
        }
        values.put("session_authorization", user);
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** The parameter's current value, or null if it is not set and not known. */
    String get(String name) {
        return values.get(key(name));
    }

    /** The name as PostgreSQL spells it (TimeZone, DateStyle). */
    static String displayName(String name) {
        Definition d = KNOWN.get(key(name));
        return d == null ? key(name) : d.name;
    }

    /** Whether a change of the parameter is sent to the client as ParameterStatus. */
    static boolean isReported(String name) {
        Definition d = KNOWN.get(key(name));
        return d != null && d.reported;
    }

    /**
     * Sets a parameter (null: its default). Validates what the SQL layer depends on: encodings, DateStyle, standard
     * strings, isolation names, timeouts.
     */
    void set(String name, String value) throws SqlException {
        String k = key(name);
        Definition d = KNOWN.get(k);
        if (d == null && !k.contains(".")) {
            throw new SqlException(SqlState.UNDEFINED_OBJECT, "unrecognized configuration parameter \"" + name + "\"");
        }
        if (d != null && d.readOnly) {
            throw new SqlException(SqlState.of("55P02"), "parameter \"" + d.name + "\" cannot be changed");
        }
        String v = value == null ? (d == null ? "" : d.defaultValue) : value;
        switch (k) {
            case "client_encoding" -> {
                String e = v.toUpperCase(Locale.ROOT).replace("-", "");
                if (!e.equals("UTF8") && !e.equals("UNICODE")) {
                    throw new SqlException(SqlState.FEATURE_NOT_SUPPORTED, "client_encoding " + v
                            + " is not supported; this server speaks UTF8 only");
                }
                v = "UTF8";
            }
            case "datestyle" -> {
                if (!v.toUpperCase(Locale.ROOT).startsWith("ISO")) {
                    throw new SqlException(SqlState.FEATURE_NOT_SUPPORTED, "DateStyle " + v
                            + " is not supported; dates are ISO");
                }
                v = "ISO, MDY";
            }
            case "standard_conforming_strings" -> {
                if (!v.equalsIgnoreCase("on") && !v.equalsIgnoreCase("true")) {
                    throw new SqlException(SqlState.FEATURE_NOT_SUPPORTED,
                            "standard_conforming_strings can only be on");
                }
                v = "on";
            }
            case "transaction_isolation", "default_transaction_isolation" -> {
                IsolationMode m = IsolationMode.fromSetting(v);
                if (m == null) {
                    throw new SqlException(SqlState.INVALID_PARAMETER_VALUE, "invalid value for parameter \"" + name
                            + "\": \"" + v + "\"");
                }
                v = m.sqlName();
            }
            case "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout" -> millis(name, v);
            case "default_transaction_read_only", "transaction_read_only" -> v = bool(name, v) ? "on" : "off";
            default -> {
            }
        }
        values.put(k, v);
    }

    private static final Pattern DURATION = Pattern.compile("\\s*(\\d+)\\s*(ms|s|min|h|d)?\\s*");

    /** A duration parameter in milliseconds (a bare number is milliseconds, as for statement_timeout). */
    static long millis(String name, String v) throws SqlException {
        Matcher m = DURATION.matcher(v.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new SqlException(SqlState.INVALID_PARAMETER_VALUE, "invalid value for parameter \"" + name + "\": \""
                    + v + "\"");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "s" -> n * 1_000;
            case "min" -> n * 60_000;
            case "h" -> n * 3_600_000;
            case "d" -> n * 86_400_000;
            default -> n;
        };
    }

    static boolean bool(String name, String v) throws SqlException {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes", "1", "t" -> true;
            case "off", "false", "no", "0", "f" -> false;
            default -> throw new SqlException(SqlState.INVALID_PARAMETER_VALUE, "parameter \"" + name
                    + "\" requires a Boolean value");
        };
    }

    /** Every parameter with its value, for SHOW ALL. */
    List<Map.Entry<String, String>> all() {
        return values.entrySet().stream().map(e -> Map.entry(displayName(e.getKey()), e.getValue())).toList();
    }
}
