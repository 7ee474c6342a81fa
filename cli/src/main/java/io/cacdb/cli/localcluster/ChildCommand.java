package io.cacdb.cli.localcluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a composite job starts a cacdb child process ({@code dax-server}, {@code node}): through the same launcher
 * that runs this process ({@code ./cacdb}, named by the {@code cacdb.launcher} system property the launcher sets),
 * or, without one (tests, IDE runs), as {@code java -cp <this JVM's class path> io.cacdb.cli.Main}. Either way
 * the child runs exactly the code of its parent. JVM options reach a launcher child through
 * {@code CACDB_JAVA_OPTS}, which the launcher passes to {@code java}.
 *
 * @param launcher the launcher script, or null to run {@code java} directly
 * @param javaHome the JDK running children when there is no launcher
 * @param classPath the class path of children when there is no launcher
 */
public record ChildCommand(Path launcher, Path javaHome, String classPath) {

    /** The system property the {@code ./cacdb} launcher sets to its own path. */
    public static final String LAUNCHER_PROPERTY = "cacdb.launcher";
    /** The main class children run when started without the launcher. */
    static final String MAIN_CLASS = "io.cacdb.cli.Main";
    /** {@code setsid} puts a child in its own session, so a terminal's hang-up or Ctrl-C after we exit spares it. */
    static final Path SETSID = Path.of("/usr/bin/setsid");

    public ChildCommand {
        if (launcher == null) {
            Objects.requireNonNull(javaHome, "javaHome");
            Objects.requireNonNull(classPath, "classPath");
        }
    }

    /** The launcher if this process was started by one, else this JVM and its class path. */
    public static ChildCommand ofThisProcess() {
        String launcher = System.getProperty(LAUNCHER_PROPERTY);
        if (launcher != null && !launcher.isBlank() && Files.isExecutable(Path.of(launcher))) {
            return new ChildCommand(Path.of(launcher), null, null);
        }
        return javaClassPath(System.getProperty("java.class.path"));
    }

    /** Children as {@code java -cp classPath io.cacdb.cli.Main}, with this JVM's JDK. */
    public static ChildCommand javaClassPath(String classPath) {
        return new ChildCommand(null, Path.of(System.getProperty("java.home")), classPath);
    }

    /**
     * A process builder for {@code cacdb <args>} with these JVM options, in a session of its own when
     * {@code setsid} exists (so it outlives this process and ignores this terminal's signals).
     */
    public ProcessBuilder processBuilder(List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        if (launcher != null) {
            command.add(launcher.toString());
            pb.environment().put("CACDB_JAVA_OPTS", String.join(" ", jvmOptions));
        } else {
            command.add(javaHome.resolve("bin").resolve("java").toString());
            command.add("--enable-native-access=ALL-UNNAMED");
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(classPath);
            command.add(MAIN_CLASS);
        }
        command.addAll(args);
        return pb.command(command);
    }

    /** For messages: what runs the children. */
    public String describe() {
        return launcher != null ? launcher.toString() : "java -cp <class path> " + MAIN_CLASS;
    }
}
