package io.cacdb.server.node;

import io.cacdb.dax.admin.StopSignals;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process entry point of a database node: {@code ./cacdb node --config FILE}.
 *
 * <p>Once serving it prints exactly one line to stdout, which parent processes wait for:
 * <pre>NODE_READY name=&lt;name&gt; zone=&lt;zone&gt; role=ACTIVE|STANDBY pg=&lt;host:port&gt; admin=&lt;host:port&gt; ha=&lt;host:port&gt; epoch=&lt;e&gt; pid=&lt;pid&gt;</pre>
 * SIGTERM and SIGINT stop it gracefully ({@link Node#close()}: sessions ended, flush, checkpoint) and the process
 * exits 0; a shutdown hook also closes it on any other orderly JVM exit. Exit codes: 0 after a graceful stop, 2 for a
 * bad configuration, 1 if the node could not start.
 *
 * <p>Tests may set the system property {@value TakeoverFault#HALT_PROPERTY} to make the process halt at a point of its
 * own takeover ({@link TakeoverFault}); a value naming no point is a bad configuration.
 */
public final class NodeMain {

    private static final Logger log = LoggerFactory.getLogger(NodeMain.class);

    /** The first word of the line printed once the node serves; launchers match on it. */
    public static final String READY_PREFIX = "NODE_READY";

    public static final int EXIT_OK = 0;
    public static final int EXIT_START_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    private NodeMain() {
    }

    /** Loads the configuration, serves until SIGTERM or SIGINT, then stops gracefully; returns the exit code. */
    public static int run(Path configFile, SqlLayer sql) {
        NodeConfig config;
        try {
            config = NodeConfig.load(configFile);
        } catch (NodeConfigException e) {
            System.err.println("node: " + e.getMessage());
            return EXIT_USAGE;
        }
        NodeFaults faults;
        try {
            faults = NodeFaults.none().withTakeover(TakeoverFault.parse(System.getProperty(
                    TakeoverFault.HALT_PROPERTY)));
        } catch (IllegalArgumentException e) {
            System.err.println("node: " + e.getMessage());
            return EXIT_USAGE;
        }
        Node node;
        try {
            node = Node.start(config, sql, faults);
        } catch (NodeStartException e) {
            log.error("node {} failed to start", config.nodeName(), e);
            System.err.println("node: cannot start " + config.nodeName() + ": " + e.getMessage());
            return EXIT_START_FAILED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "node-shutdown-hook"));
        CountDownLatch stop = StopSignals.install();
        announceReady(node, System.out);
        StopSignals.await(stop);
        log.info("node {} received a stop signal", config.nodeName());
        try {
            node.close();
        } catch (RuntimeException e) {
            log.error("node {} did not stop cleanly", config.nodeName(), e);
            return EXIT_START_FAILED;
        }
        return EXIT_OK;
    }

    /** Prints the READY line for {@code node} and flushes it. */
    public static void announceReady(Node node, PrintStream out) {
        String host = node.config().bindHost();
        out.println(READY_PREFIX + " name=" + node.config().nodeName() + " zone=" + node.config().zone() + " role="
                + node.role() + " pg=" + host + ":" + node.pgPort() + " admin=" + host + ":" + node.adminPort()
                + " ha=" + host + ":" + node.haPort() + " epoch=" + node.epoch() + " pid=" + ProcessHandle.current().pid());
        out.flush();
    }
}
