package io.cacdb.dax.server;

import io.cacdb.dax.admin.StopSignals;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process entry point of a DAX server: {@code DaxServerMain --config FILE}.
 *
 * <p>Once serving it prints exactly one line to stdout, which parent processes wait for:
 * <pre>DAX_SERVER_READY id=&lt;id&gt; zone=&lt;zone&gt; rpc=&lt;host:port&gt; admin=&lt;host:port&gt;</pre>
 * SIGTERM and SIGINT stop it gracefully ({@link DaxServer#close()}) and the process exits 0; a shutdown hook also
 * closes it on any other orderly JVM exit. Exit codes: 0 after a graceful stop, 2 for a bad command line or
 * configuration, 1 if the server could not start.
 */
public final class DaxServerMain {

    private static final Logger log = LoggerFactory.getLogger(DaxServerMain.class);

    /** The first word of the line printed once the server serves; launchers match on it. */
    public static final String READY_PREFIX = "DAX_SERVER_READY";

    public static final int EXIT_OK = 0;
    public static final int EXIT_START_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    private DaxServerMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2 || !args[0].equals("--config")) {
            System.err.println("usage: DaxServerMain --config FILE");
            System.exit(EXIT_USAGE);
        }
        System.exit(run(Path.of(args[1])));
    }

    /**
     * Loads the configuration, serves until SIGTERM or SIGINT, then stops gracefully. Returns the process exit code;
     * this is what {@code ./cacdb dax-server --config FILE} calls.
     */
    public static int run(Path configFile) {
        ServerConfig config;
        try {
            config = ServerConfig.load(configFile);
        } catch (ConfigException e) {
            System.err.println("dax-server: " + e.getMessage());
            return EXIT_USAGE;
        }
        DaxServer server;
        try {
            server = DaxServer.start(config);
        } catch (RuntimeException e) {
            log.error("DAX server {} failed to start", config.serverId(), e);
            System.err.println("dax-server: cannot start " + config.serverId() + ": " + e.getMessage());
            return EXIT_START_FAILED;
        }
        Thread hook = new Thread(server::close, "dax-server-shutdown-hook");
        Runtime.getRuntime().addShutdownHook(hook);
        CountDownLatch stop = StopSignals.install();
        announceReady(server, System.out);
        StopSignals.await(stop);
        log.info("DAX server {} received a stop signal", config.serverId());
        server.close();
        return EXIT_OK;
    }

    /** Prints the READY line for {@code server} and flushes it. */
    public static void announceReady(DaxServer server, PrintStream out) {
        String host = server.config().bindHost();
        out.println(READY_PREFIX + " id=" + server.serverId() + " zone=" + server.zone() + " rpc=" + host + ":"
                + server.rpcPort() + " admin=" + host + ":" + server.adminPort());
        out.flush();
    }
}
