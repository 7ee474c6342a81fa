package io.cacdb.cli;

import io.cacdb.server.proxy.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./cacdb proxy --config FILE}: one client port forwarded to whichever node is active. */
@Command(name = "proxy",
        mixinStandardHelpOptions = true,
        description = {"Runs the proxy: one PostgreSQL client port forwarded to whichever node is active. It learns "
                + "the active from the lease in META (reading the DAX servers of the cluster map) and the node's "
                + "endpoint from the map's node lines; clients that connect during a takeover wait for the new "
                + "active (connect-wait-millis). Runs until SIGTERM or SIGINT, then exits 0.",
                "Prints 'PROXY_READY port=host:port admin=host:port pid=...' on stdout once listening.",
                "Config keys (cluster-map, volume, zone, bind-host, port, admin-port, ...): docs/operations.md."})
final class ProxyCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "proxy configuration file (key = value lines: cluster-map, port, admin-port, ...)")
    Path config;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(config)) {
            System.err.println("proxy: config file " + config + " does not exist or is not a file");
            return Proxy.EXIT_USAGE;
        }
        return Proxy.run(config, System.out);
    }
}
