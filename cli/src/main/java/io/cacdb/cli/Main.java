package io.cacdb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./cacdb} command: one launcher for every cacdb process (DAX server, later the database node and proxy)
 * and every composite job (local clusters, benchmarks). Each subcommand is a class in this package.
 */
@Command(name = "cacdb",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "cacdb: a highly available transactional database on a replicated, fenced storage tier (DAX).",
        subcommands = {CommandLine.HelpCommand.class, DaxServerCommand.class, DaxBenchCommand.class,
                EngineBenchCommand.class, TpccCommand.class, NodeCommand.class, ClusterCommand.class,
                SqlBenchCommand.class, SwitchoverCommand.class, ProxyCommand.class, FailoverBenchCommand.class,
                FailoverExperimentCommand.class, DemoCommand.class, BackupCommand.class, RestoreCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests to run commands in-process. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd;
    }

    @Override
    public void run() {
        // No subcommand given: show what there is to run.
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cacdb " + (v == null ? "(development build)" : v),
                    "JVM: " + System.getProperty("java.vm.name") + " " + Runtime.version()};
        }
    }
}
