package io.cacdb.archive;

import io.cacdb.archive.s3.ObjectCorruptException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The line format of the archive's manifests: a first line {@code <kind> <format>}, then {@code key value...} lines.
 * Human-readable on purpose (an operator can {@code aws s3 cp} one and read it). Parsing failures are
 * {@link ObjectCorruptException}s naming the object and the line.
 */
public final class TextManifest {

    private final String kind;
    private final Map<String, String> single = new LinkedHashMap<>();
    private final List<String[]> repeated = new ArrayList<>();
    private final String url;

    private TextManifest(String kind, String url) {
        this.kind = kind;
        this.url = url;
    }

    public static TextManifest create(String kind, int format) {
        TextManifest m = new TextManifest(kind + " " + format, "(new)");
        return m;
    }

    public TextManifest put(String key, Object value) {
        single.put(key, String.valueOf(value));
        return this;
    }

    public TextManifest add(String key, Object... values) {
        String[] row = new String[values.length + 1];
        row[0] = key;
        for (int i = 0; i < values.length; i++) {
            row[i + 1] = String.valueOf(values[i]);
        }
        repeated.add(row);
        return this;
    }

    public byte[] toBytes() {
        StringBuilder b = new StringBuilder(kind).append('\n');
        single.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
        for (String[] row : repeated) {
            b.append(String.join(" ", row)).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Parses {@code bytes} read from {@code url}; {@code repeatedKeys} may occur many times, others once. */
    public static TextManifest parse(byte[] bytes, String url, String kind, int format, List<String> repeatedKeys) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        String header = kind + " " + format;
        if (lines.length == 0 || !lines[0].equals(header)) {
            throw new ObjectCorruptException(url, kind, "first line is '" + (lines.length == 0 ? "" : lines[0])
                    + "', expected '" + header + "'");
        }
        TextManifest m = new TextManifest(header, url);
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] parts = lines[i].strip().split(" ");
            if (repeatedKeys.contains(parts[0])) {
                m.repeated.add(parts);
            } else if (parts.length != 2 || m.single.putIfAbsent(parts[0], parts[1]) != null) {
                throw new ObjectCorruptException(url, kind, "line " + (i + 1) + " '" + lines[i]
                        + "' is not a single 'key value' pair seen once");
            }
        }
        return m;
    }

    public String string(String key) {
        String v = single.get(key);
        if (v == null) {
            throw new ObjectCorruptException(url, kind, "key '" + key + "' is missing");
        }
        return v;
    }

    public long number(String key) {
        String v = string(key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ObjectCorruptException(url, kind, "key '" + key + "' has value '" + v + "', not a number");
        }
    }

    /** The rows of a repeated key, each without the key itself; every row must have {@code fields} values. */
    public List<String[]> rows(String key, int fields) {
        List<String[]> out = new ArrayList<>();
        for (String[] row : repeated) {
            if (row[0].equals(key)) {
                if (row.length != fields + 1) {
                    throw new ObjectCorruptException(url, kind, "a '" + key + "' line has " + (row.length - 1)
                            + " fields, expected " + fields);
                }
                String[] values = new String[fields];
                System.arraycopy(row, 1, values, 0, fields);
                out.add(values);
            }
        }
        return out;
    }

    public long parseLong(String value, String what) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ObjectCorruptException(url, kind, what + " '" + value + "' is not a number");
        }
    }
}
