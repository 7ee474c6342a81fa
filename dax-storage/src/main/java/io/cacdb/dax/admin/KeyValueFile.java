package io.cacdb.dax.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A cacdb configuration file: {@code key = value} lines, {@code #} starts a comment line, blank lines ignored. Unknown
 * and repeated keys are errors; every error ({@link ConfigFileException}) names the file, the line, the key and the
 * value.
 * Typed getters check ranges and units: integers, milliseconds, byte sizes with an optional {@code KiB}/{@code MiB}/
 * {@code GiB} suffix, paths resolved against the file's folder.
 */
public final class KeyValueFile {

    private final Path file;
    private final Map<String, String> values;
    private final Map<String, Integer> lineOf;

    private KeyValueFile(Path file, Map<String, String> values, Map<String, Integer> lineOf) {
        this.file = file;
        this.values = values;
        this.lineOf = lineOf;
    }

    /**
     * Reads and checks {@code file}: every key must be in {@code knownKeys}.
     *
     * @throws ConfigFileException when the file cannot be read, a line is not {@code key = value}, or a key is
     *                             unknown or repeated
     */
    public static KeyValueFile read(Path file, Collection<String> knownKeys) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigFileException("cannot read config file " + file + ": " + e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + ":" + (i + 1);
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new ConfigFileException(where + ": expected 'key = value', got '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            if (!knownKeys.contains(key)) {
                throw new ConfigFileException(where + ": unknown key '" + key + "' (known keys: " + knownKeys + ")");
            }
            Integer earlier = lineOf.putIfAbsent(key, i + 1);
            if (earlier != null) {
                throw new ConfigFileException(where + ": key '" + key + "' repeated (first on line " + earlier + ")");
            }
            values.put(key, line.substring(eq + 1).strip());
        }
        return new KeyValueFile(file, values, lineOf);
    }

    public Path file() {
        return file;
    }

    public Optional<String> string(String key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isEmpty());
    }

    public String required(String key) {
        return string(key).orElseThrow(() -> new ConfigFileException(file + ": required key '" + key
                + "' is missing"));
    }

    /** An integer in {@code min..max}, or {@code defaultValue} when absent. */
    public long integer(String key, long defaultValue, long min, long max) {
        return checked(key, parse(key, false).orElse(defaultValue), min, max);
    }

    /** A byte count ({@code 64MiB}, {@code 4096}) in {@code min..max}, or {@code defaultValue} when absent. */
    public long bytes(String key, long defaultValue, long min, long max) {
        return checked(key, parse(key, true).orElse(defaultValue), min, max);
    }

    /** A path; a relative one resolves against the file's folder. */
    public Optional<Path> path(String key) {
        return string(key).map(raw -> {
            Path p = Path.of(raw);
            if (p.isAbsolute()) {
                return p;
            }
            Path parent = file.toAbsolutePath().getParent();
            return parent == null ? p.toAbsolutePath() : parent.resolve(p).normalize();
        });
    }

    /** The error to throw for a value that parsed but does not fit (names the file, line, key and value). */
    public ConfigFileException bad(String key, String why) {
        return new ConfigFileException(where(key) + ": key '" + key + "' has bad value '" + values.get(key) + "': "
                + why);
    }

    private String where(String key) {
        Integer line = lineOf.get(key);
        return line == null ? file.toString() : file + ":" + line;
    }

    private long checked(String key, long value, long min, long max) {
        if (value < min || value > max) {
            if (values.containsKey(key)) {
                throw bad(key, "must be in " + min + ".." + max);
            }
            throw new IllegalStateException("default of '" + key + "' (" + value + ") outside " + min + ".." + max);
        }
        return value;
    }

    private Optional<Long> parse(String key, boolean bytes) {
        Optional<String> raw = string(key);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        String digits = raw.get();
        long multiplier = 1;
        if (bytes) {
            String lower = digits.toLowerCase(Locale.ROOT);
            for (var suffix : List.of(Map.entry("kib", 1L << 10), Map.entry("mib", 1L << 20),
                    Map.entry("gib", 1L << 30))) {
                if (lower.endsWith(suffix.getKey())) {
                    digits = digits.substring(0, digits.length() - 3).strip();
                    multiplier = suffix.getValue();
                }
            }
        }
        try {
            return Optional.of(Math.multiplyExact(Long.parseLong(digits), multiplier));
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(key, "expected " + (bytes ? "a byte count (optionally with KiB, MiB or GiB)" : "an integer"));
        }
    }
}
