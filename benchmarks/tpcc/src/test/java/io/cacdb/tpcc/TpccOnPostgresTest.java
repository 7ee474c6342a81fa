package io.cacdb.tpcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.tpcc.check.CommitAudit;
import io.cacdb.tpcc.connect.ConnectionSettings;
import io.cacdb.tpcc.load.LoadTable;
import io.cacdb.tpcc.load.TpccLoad;
import io.cacdb.tpcc.postgres.TestPostgres;
import io.cacdb.tpcc.report.TpccReport;
import io.cacdb.tpcc.run.Isolation;
import io.cacdb.tpcc.run.TpccRun;
import io.cacdb.tpcc.series.PerSecondSeries.Counter;
import io.cacdb.tpcc.series.PerSecondSeries.Row;
import io.cacdb.tpcc.txn.TransactionType;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole driver against a real, throwaway PostgreSQL: load one warehouse, run a few seconds, check the
 * consistency conditions and the acknowledged-commit audit; then a run whose connections the server kills mid-way
 * (the terminals must reconnect and nothing acknowledged may be lost); then the audit must notice a deleted order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TpccOnPostgresTest {

    static TestPostgres pg;
    static long seed;
    static final Consumer<String> LOG = line -> System.out.println(line);

    @BeforeAll
    static void startPostgresAndLoad() throws Exception {
        var bin = TestPostgres.findBinaries();
        Assumptions.assumeTrue(bin.isPresent(), "no PostgreSQL server binaries (looked in /usr/lib/postgresql/*/bin "
                + "and -D" + TestPostgres.BIN_PROPERTY + "): skipping the TPC-C integration test");
        seed = TestSeeds.seed("TpccOnPostgresTest");
        pg = TestPostgres.start(bin.get());
        TpccLoad.Result load = TpccLoad.run(TpccLoad.Options.of(pg.jdbcUrl(), 1).withLoaderThreads(2)
                .withSeed(seed).withProgressInterval(Duration.ofSeconds(2)), LOG);
        assertTrue(load.consistency().ok(), load.consistency().describe());
        assertEquals(100_000L, load.rows().get(LoadTable.ITEM));
        assertEquals(100_000L, load.rows().get(LoadTable.STOCK));
        assertEquals(30_000L, load.rows().get(LoadTable.CUSTOMER));
        assertEquals(9_000L, load.rows().get(LoadTable.NEW_ORDER));
        try (Connection c = ConnectionSettings.forBulk(pg.jdbcUrl()).open(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM order_line")) {
            rs.next();
            assertEquals((long) load.rows().get(LoadTable.ORDER_LINE), rs.getLong(1), "rows counted = rows in");
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @Order(1)
    void runKeepsConsistencyAndEveryAcknowledgedCommit(@TempDir Path out) throws Exception {
        TpccRun.Options options = TpccRun.Options.of(pg.jdbcUrl(), 1, 4, Duration.ofSeconds(5)).withSeed(seed)
                .withWarmup(Duration.ofSeconds(1)).withProgressInterval(Duration.ofSeconds(2));
        TpccRun.Result r = TpccRun.execute(options, LOG);
        LOG.accept("result: " + TpccRun.describe(r) + "; NOPM " + r.nopm() + ", retries " + r.totals().retries());

        assertNotNull(r.consistency(), r.checkFailure());
        assertTrue(r.consistencyOk(), r.consistency().describe());
        CommitAudit audit = r.audit();
        assertTrue(audit.ok() && audit.complete(), audit.toString());
        assertTrue(audit.acknowledged() > 0, "some New-Orders committed");
        assertTrue(r.orderCounterConsistent(), "sum(d_next_o_id) grew by " + r.ordersCreated() + " for "
                + audit.acknowledged() + " acknowledged New-Orders");
        for (TransactionType t : TransactionType.values()) {
            assertTrue(r.totals().commits(t) > 0, t + " committed at least once");
        }
        assertEquals(0, r.totals().otherErrors(), "no unexpected errors: " + r.errorMessages());
        assertEquals(0, r.totals().connectionErrors(), "no connection errors: " + r.errorMessages());
        assertTrue(r.nopm() > 0 && r.commitsPerSecond() > 0);

        TpccReport.write(r, out);
        String summary = Files.readString(out.resolve(TpccReport.SUMMARY));
        for (String key : new String[] {"\"nopm\"", "\"commits_per_s\"", "\"latency_p50_ms\"", "\"latency_p99_ms\"",
                "\"retries\"", "\"errors\"", "\"consistency_ok\": true", "\"acknowledged_commits_lost\": 0",
                "\"configuration\"", "\"terminals\": 4"}) {
            assertTrue(summary.contains(key), key + " in summary.json:\n" + summary);
        }
        var csv = Files.readAllLines(out.resolve(TpccReport.TIMESERIES));
        assertTrue(csv.getFirst().startsWith("second,new_order,payment"), csv.getFirst());
        assertTrue(csv.size() >= 1 + 6, "a row per second of warm-up and run: " + csv.size());
        BufferedImage png = ImageIO.read(out.resolve(TpccReport.CHART).toFile());
        assertNotNull(png, "throughput.png is a PNG");
        assertTrue(png.getWidth() >= 800 && png.getHeight() >= 400);
    }

    @Test
    @Order(2)
    void terminalsReconnectWhenTheServerDropsTheirConnections() throws Exception {
        CountDownLatch progressSeen = new CountDownLatch(1);
        TpccRun.Options options = TpccRun.Options.of(pg.jdbcUrl(), 1, 4, Duration.ofSeconds(6))
                .withSeed(seed + 1).withIsolation(Isolation.READ_COMMITTED).withProgressInterval(Duration.ofSeconds(1));
        TpccRun run = TpccRun.start(options, line -> {
            LOG.accept(line);
            if (line.startsWith("run: ") && line.contains("commits/s")) {
                progressSeen.countDown();
            }
        });
        assertTrue(progressSeen.await(30, TimeUnit.SECONDS), "the run reported progress");
        int killed;
        try (Connection c = ConnectionSettings.forBulk(pg.jdbcUrl()).open(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                     + "WHERE application_name = '" + ConnectionSettings.APPLICATION_NAME + "' "
                     + "AND pid <> pg_backend_pid()")) {
            rs.next();
            killed = rs.getInt(1);
        }
        TpccRun.Event kill = run.markEvent("server terminated " + killed + " connections");
        TpccRun.Result r = run.awaitResult();
        LOG.accept("result: " + TpccRun.describe(r) + "; connection errors " + r.totals().connectionErrors()
                + ", commit outcome unknown " + r.totals().commitOutcomeUnknown());

        assertTrue(killed >= 1, "the terminals' connections were found");
        assertTrue(r.totals().connectionsLost() >= 1, "lost connections counted: " + r.errorMessages());
        long after = r.series().rows((int) Math.ceil(kill.second()) + 1, r.series().capacitySeconds()).stream()
                .mapToLong(Row::commits).sum();
        assertTrue(after > 0, "commits after the connections were killed");
        long errorsInSeries = r.series().rows(0, r.series().capacitySeconds()).stream()
                .mapToLong(row -> row.count(Counter.CONNECTION_ERRORS)).sum();
        assertEquals(r.totals().connectionErrors(), errorsInSeries, "every connection error is in the time series");
        assertTrue(r.consistencyOk(), r.consistency().describe());
        assertTrue(r.audit().ok(), r.audit().toString());
        assertTrue(r.orderCounterConsistent(), "orders created " + r.ordersCreated() + ", acknowledged "
                + r.audit().acknowledged() + ", unknown " + r.totals().newOrderOutcomeUnknown());
    }

    @Test
    @Order(3)
    void auditNoticesALostAcknowledgedOrder() throws Exception {
        TpccRun.Result r = TpccRun.execute(TpccRun.Options.of(pg.jdbcUrl(), 1, 2, Duration.ofSeconds(2))
                .withSeed(seed + 2).withProgressInterval(Duration.ZERO).withCheckAfterRun(false), LOG);
        long[] acked = r.acknowledged();
        assertTrue(acked.length > 0);
        long last = acked[acked.length - 1];
        try (Connection c = ConnectionSettings.forBulk(pg.jdbcUrl()).open(); Statement st = c.createStatement()) {
            int w = io.cacdb.tpcc.check.AcknowledgedNewOrders.warehouse(last);
            int d = io.cacdb.tpcc.check.AcknowledgedNewOrders.district(last);
            int o = io.cacdb.tpcc.check.AcknowledgedNewOrders.orderId(last);
            assertEquals(1, st.executeUpdate("DELETE FROM oorder WHERE o_w_id = " + w + " AND o_d_id = " + d
                    + " AND o_id = " + o));
            CommitAudit audit = CommitAudit.audit(c, acked, 0);
            assertEquals(1, audit.lost(), audit.toString());
            assertTrue(audit.samples().getFirst().contains("o_id " + o), audit.samples().toString());
        }
    }
}
