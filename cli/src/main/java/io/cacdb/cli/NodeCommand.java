package io.cacdb.cli;

import io.cacdb.server.node.NodeMain;
import io.cacdb.server.node.SqlLayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./cacdb node --config FILE}: one database node, until SIGTERM/SIGINT. */
@Command(name = "node",
        mixinStandardHelpOptions = true,
        description = {"Runs one database node: connects to the DAX servers of the cluster map, creates the volume if "
                + "new, fences it to a new epoch, opens (formats or recovers) the database, and serves the "
                + "PostgreSQL protocol, with admin HTTP (/metrics, /health), until SIGTERM or SIGINT; then it ends "
                + "the sessions, flushes, checkpoints and exits 0.",
                "Prints 'NODE_READY name=... zone=... role=ACTIVE pg=host:port admin=host:port epoch=... pid=...' on "
                        + "stdout once serving.",
                "Config keys: see docs/operations.md."})
final class NodeCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "node configuration file (key = value lines: node-name, zone, cluster-map, pg-port, ...)")
    Path config;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(config)) {
            System.err.println("node: config file " + config + " does not exist or is not a file");
            return NodeMain.EXIT_USAGE;
        }
        return NodeMain.run(config, SqlLayer.engineSql());
    }
}
