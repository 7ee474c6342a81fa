package io.cacdb.cli.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the PostgreSQL server programs are: {@code initdb}, {@code pg_ctl} and {@code postgres} from one folder,
 * looked for in the {@code PATH} first, then in Debian's {@code /usr/lib/postgresql/<major>/bin} (newest major
 * first). A {@code PATH} entry that is a symbolic link (Debian's {@code /usr/local/bin/pg_ctl}) is resolved to its
 * real folder, so the three programs always come from one installation.
 *
 * @param bin     the folder holding the three programs
 * @param version what {@code postgres --version} says ({@code "postgres (PostgreSQL) 15.18 ..."})
 * @param major   the major version (15)
 */
public record PostgresBinaries(Path bin, String version, int major) {

    static final List<String> PROGRAMS = List.of("initdb", "pg_ctl", "postgres");
    static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

    public Path initdb() {
        return bin.resolve("initdb");
    }

    public Path pgCtl() {
        return bin.resolve("pg_ctl");
    }

    /** The binaries, or empty (with the places looked at in {@code searched}) when there are none. */
    public static Optional<PostgresBinaries> find(List<String> searched) {
        return find(System.getenv("PATH"), DEBIAN_ROOT, searched);
    }

    /** As {@link #find(List)}, with the {@code PATH} value and Debian root given. */
    static Optional<PostgresBinaries> find(String path, Path debianRoot, List<String> searched) {
        List<Path> candidates = new ArrayList<>();
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isBlank()) {
                    Path pgCtl = Path.of(dir, "pg_ctl");
                    if (Files.isExecutable(pgCtl)) {
                        try {
                            candidates.add(pgCtl.toRealPath().getParent());
                        } catch (IOException e) {
                            searched.add(dir + " (pg_ctl unreadable: " + e.getMessage() + ")");
                        }
                    }
                }
            }
        }
        if (Files.isDirectory(debianRoot)) {
            List<Path> majors = new ArrayList<>();
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(debianRoot)) {
                dirs.forEach(majors::add);
            } catch (IOException e) {
                searched.add(debianRoot + " (unreadable: " + e.getMessage() + ")");
            }
            majors.sort(Comparator.comparing((Path p) -> majorOf(p.getFileName().toString())).reversed());
            majors.forEach(m -> candidates.add(m.resolve("bin")));
        }
        for (Path bin : candidates) {
            searched.add(bin.toString());
            if (PROGRAMS.stream().allMatch(p -> Files.isExecutable(bin.resolve(p)))) {
                String version = version(bin.resolve("postgres"));
                if (version != null) {
                    return Optional.of(new PostgresBinaries(bin, version, majorFromVersion(version)));
                }
            }
        }
        if (candidates.isEmpty()) {
            searched.add("PATH and " + debianRoot + "/*/bin: no pg_ctl");
        }
        return Optional.empty();
    }

    private static String version(Path postgres) {
        try {
            Process p = new ProcessBuilder(postgres.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static int majorFromVersion(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(PostgreSQL\\) (\\d+)").matcher(version);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static int majorOf(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
