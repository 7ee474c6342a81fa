package io.cacdb.tpcc.connect;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * How the driver connects: a pgjdbc URL, possibly multi-host ({@code jdbc:postgresql://h1:p1,h2:p2/db}), and the
 * connection properties we default. Properties written in the URL win over these defaults (pgjdbc reads the URL
 * last), so a user can always override them there.
 *
 * <p>pgjdbc's timeouts are whole seconds; a {@link Duration} below one second is rounded up to one, because 0 would
 * mean "no timeout".
 *
 * @param url            the JDBC URL
 * @param connectTimeout pgjdbc {@code connectTimeout}: bound on one TCP connect plus start-up, per host
 * @param socketTimeout  pgjdbc {@code socketTimeout}: a read blocked longer than this fails the connection, so a
 *                       server that vanished without a reset is noticed after at most this long; it must exceed
 *                       the longest legitimate statement
 * @param batchedInserts pgjdbc {@code reWriteBatchedInserts}: batches of INSERTs become multi-row VALUES (the
 *                       loader's rows go out 128 to a statement)
 */
public record ConnectionSettings(String url, Duration connectTimeout, Duration socketTimeout,
        boolean batchedInserts) {

    /** A failed connect is retried quickly; a few seconds is plenty for a live server on a LAN. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * No TPC-C statement takes anywhere near this long on a healthy server; a vanished server is noticed within it.
     */
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(5);
    /** The loader's and the checks' statements are big (multi-row inserts, whole-table aggregates). */
    public static final Duration BULK_SOCKET_TIMEOUT = Duration.ofMinutes(10);
    /**
     * pgjdbc remembers for {@code hostRecheckSeconds} (default 10) that a host was down or a standby, and skips it
     * meanwhile; after a failover that memory keeps it off the new primary — with 1 s, half a second on average after
     * the standby became active (measured by failover-bench). So multi-host URLs get 0: every connection attempt
     * asks each host again. Right for hosts that refuse at once when down (a killed process, a local cluster); over
     * a network where a dead host times out instead, give a small connectTimeout or use the proxy.
     */
    public static final int MULTI_HOST_RECHECK_SECONDS = 0;
    public static final String APPLICATION_NAME = "cacdb-tpcc";

    public ConnectionSettings {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("expected a pgjdbc URL (jdbc:postgresql://host:port/db...), got " + url);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connect timeout must be positive, was " + connectTimeout);
        }
        if (socketTimeout.isNegative() || socketTimeout.isZero()) {
            throw new IllegalArgumentException("socket timeout must be positive, was " + socketTimeout);
        }
    }

    /** The run's settings: short timeouts. */
    public static ConnectionSettings forTerminals(String url) {
        return new ConnectionSettings(url, DEFAULT_CONNECT_TIMEOUT, DEFAULT_SOCKET_TIMEOUT, false);
    }

    /** The loader's and checker's settings: long statements, batched inserts. */
    public static ConnectionSettings forBulk(String url) {
        return new ConnectionSettings(url, DEFAULT_CONNECT_TIMEOUT, BULK_SOCKET_TIMEOUT, true);
    }

    public ConnectionSettings withTimeouts(Duration connect, Duration socket) {
        return new ConnectionSettings(url, connect, socket, batchedInserts);
    }

    public ConnectionSettings withBatchedInserts(boolean on) {
        return new ConnectionSettings(url, connectTimeout, socketTimeout, on);
    }

    /** True when the URL names more than one host (pgjdbc then tries them in order). */
    public boolean multiHost() {
        String rest = url.substring("jdbc:postgresql:".length());
        if (!rest.startsWith("//")) {
            return false;
        }
        int end = rest.indexOf('/', 2);
        String hosts = end < 0 ? rest.substring(2) : rest.substring(2, end);
        return hosts.contains(",");
    }

    /** The default properties (the URL's own parameters override them). */
    public Properties properties() {
        Properties p = new Properties();
        p.setProperty("connectTimeout", Long.toString(wholeSeconds(connectTimeout)));
        p.setProperty("socketTimeout", Long.toString(wholeSeconds(socketTimeout)));
        p.setProperty("ApplicationName", APPLICATION_NAME);
        p.setProperty("reWriteBatchedInserts", Boolean.toString(batchedInserts));
        p.setProperty("tcpKeepAlive", "true");
        if (multiHost()) {
            p.setProperty("targetServerType", "primary");
            p.setProperty("hostRecheckSeconds", Integer.toString(MULTI_HOST_RECHECK_SECONDS));
        }
        return p;
    }

    /** One connection attempt (pgjdbc tries each host of a multi-host URL once). */
    public Connection open() throws SQLException {
        return DriverManager.getConnection(url, properties());
    }

    /** The URL with any password parameter blanked, for reports and logs. */
    public String redactedUrl() {
        return redact(url);
    }

    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    static long wholeSeconds(Duration d) {
        long s = d.toSeconds();
        return d.equals(Duration.ofSeconds(s)) ? Math.max(1, s) : s + 1;
    }
}
