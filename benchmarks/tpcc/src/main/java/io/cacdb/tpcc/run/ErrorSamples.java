package io.cacdb.tpcc.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Distinct error messages and how often each occurred, for the summary: bounded to {@link #DISTINCT_MAX} messages
 * (later new ones only count in {@link #otherMessages}). Thread-safe.
 */
public final class ErrorSamples {

    /** Distinct messages kept; a storm of one error should not fill memory with copies. */
    public static final int DISTINCT_MAX = 50;
    /** Characters kept of each message. */
    static final int MESSAGE_CHARS_MAX = 300;

    private final Map<String, Long> counts = new LinkedHashMap<>();
    private long otherMessages;

    /** Records one; returns true if it is the first of its kind (worth logging). */
    public synchronized boolean add(String kind, Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            m = e.getClass().getName();
        }
        String state = e instanceof java.sql.SQLException s && s.getSQLState() != null ? " [" + s.getSQLState() + "]"
                : "";
        String key = kind + state + ": " + (m.length() > MESSAGE_CHARS_MAX ? m.substring(0, MESSAGE_CHARS_MAX) : m);
        Long n = counts.get(key);
        if (n != null) {
            counts.put(key, n + 1);
            return false;
        }
        if (counts.size() >= DISTINCT_MAX) {
            otherMessages++;
            return false;
        }
        counts.put(key, 1L);
        return true;
    }

    public synchronized Map<String, Long> snapshot() {
        return Map.copyOf(counts);
    }

    public synchronized long otherMessages() {
        return otherMessages;
    }
}
