package io.cacdb.dax.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A process's health as the admin endpoint reports it: {@code up} decides the HTTP status (200 or 503),
 * {@code status} is the word in the body ({@code UP}, {@code STARTING}, {@code STOPPING}...), {@code fields} are
 * extra string facts (server id, zone, role) written into the JSON in order.
 */
public record Health(boolean up, String status, Map<String, String> fields) {

    public Health {
        Objects.requireNonNull(status, "status");
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The JSON body: {@code {"status":"UP","serverId":"d1",...}}. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\"status\":").append(quote(status));
        fields.forEach((k, v) -> sb.append(',').append(quote(k)).append(':').append(quote(v)));
        return sb.append('}').toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
