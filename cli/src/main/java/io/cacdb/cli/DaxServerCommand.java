package io.cacdb.cli;

import io.cacdb.dax.server.DaxServerMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./cacdb dax-server --config FILE}: one DAX storage server, until SIGTERM/SIGINT. */
@Command(name = "dax-server",
        mixinStandardHelpOptions = true,
        description = {"Runs one DAX storage server (RocksDB replica store, RPC port, admin HTTP with /metrics and "
                + "/health) until SIGTERM or SIGINT, then shuts down cleanly.",
                "Prints 'DAX_SERVER_READY id=... rpc=host:port admin=host:port' on stdout once serving.",
                "Config keys: see docs/dax-protocol.md (server configuration)."})
final class DaxServerCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "server configuration file (key = value lines: server-id, zone, rpc-port, data-dir, ...)")
    Path config;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(config)) {
            System.err.println("dax-server: config file " + config + " does not exist or is not a file");
            return 2;
        }
        return DaxServerMain.run(config);
    }
}
