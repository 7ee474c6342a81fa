package io.cacdb.server.sql.parse;

import io.cacdb.engine.lock.IsolationLevel;

/** The isolation levels SQL names, and the engine level each runs at. */
public enum IsolationMode {
    READ_UNCOMMITTED("read uncommitted", IsolationLevel.READ_COMMITTED),
    READ_COMMITTED("read committed", IsolationLevel.READ_COMMITTED),
    /** The engine has no snapshot level; SERIALIZABLE is stricter and allowed by the standard. */
    REPEATABLE_READ("repeatable read", IsolationLevel.SERIALIZABLE),
    SERIALIZABLE("serializable", IsolationLevel.SERIALIZABLE);

    private final String sqlName;
    private final IsolationLevel engineLevel;

    IsolationMode(String sqlName, IsolationLevel engineLevel) {
        this.sqlName = sqlName;
        this.engineLevel = engineLevel;
    }

    /** As SHOW transaction_isolation prints it. */
    public String sqlName() {
        return sqlName;
    }

    public IsolationLevel engineLevel() {
        return engineLevel;
    }

    /** Parses the setting's value ({@code 'read committed'}, {@code serializable}), null if it is none of them. */
    public static IsolationMode fromSetting(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT).replaceAll("[\\s_]+", " ");
        for (IsolationMode m : values()) {
            if (m.sqlName.equals(v)) {
                return m;
            }
        }
        return null;
    }
}
