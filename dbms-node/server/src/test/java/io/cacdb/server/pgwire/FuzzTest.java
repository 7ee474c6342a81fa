package io.cacdb.server.pgwire;

import io.cacdb.leakcheck.NoLeaks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.server.session.TinySqlBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A live server gets mutated protocol traffic on many connections at once: random bytes, valid message streams with
 * bits flipped, words overwritten, bytes inserted or deleted, truncated streams, oversized length words, invalid
 * UTF-8 in strings. Meanwhile well-behaved pgjdbc sessions keep running a checked workload. Afterwards: every fuzzed
 * connection has ended, every backend message the server sent was well formed, the good sessions saw no error, the
 * server's connection and session counts are back to the good sessions only, and a fresh session works.
 *
 * <p>Seeded: the seed is printed; {@code -Dseed=N} reproduces a run (the traffic and the options swarmed from it; the
 * interleaving of threads is the machine's).
 */
@ExtendWith(NoLeaks.class)
class FuzzTest {

    private static final Duration BOUND = Duration.ofSeconds(30);
    /** Fuzzed connections per run and how many run at once. */
    private static final int FUZZ_CONNECTIONS = 400;
    private static final int FUZZ_CONCURRENCY = 24;
    private static final int GOOD_SESSIONS = 3;
    /** How long a fuzzed connection may stay silent before the test calls the server stuck. */
    private static final int FUZZ_READ_TIMEOUT_MILLIS = 15_000;

    @Test
    void mutatedTrafficOnManyConnections() throws Exception {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("FuzzTest seed=" + seed + " (reproduce with -Dseed=" + seed + ")");
        Random swarm = new Random(seed);
        PgServerConfig config = PgServerConfig.defaults()
                .withMaxConnections(GOOD_SESSIONS + 1 + swarm.nextInt(FUZZ_CONCURRENCY * 2))
                .withInboundHighWater(2 + swarm.nextInt(64), PgWireLimits.MAX_CONTROL_MESSAGE_BYTES
                        + swarm.nextInt(1 << 20))
                .withOutboundWaterMarks(1024, 2048 + swarm.nextInt(64 << 10))
                .withAuthenticationTimeout(Duration.ofSeconds(5));
        System.out.println("FuzzTest options: maxConnections=" + config.maxConnections() + " inbound="
                + config.inboundHighWaterMessages() + "/" + config.inboundHighWaterBytes() + " outboundHigh="
                + config.outboundHighWaterBytes());
        try (TestServer s = new TestServer(config, new TinySqlBackend())) {
            try (Connection setup = s.connect(); Statement st = setup.createStatement()) {
                st.execute("CREATE TABLE ctl (id int, owner int, v text)");
            }
            AtomicBoolean fuzzing = new AtomicBoolean(true);
            AtomicLong goodOperations = new AtomicLong();
            List<CompletableFuture<Void>> good = new ArrayList<>();
            for (int g = 0; g < GOOD_SESSIONS; g++) {
                int owner = g;
                // connected before the fuzzing starts, so their session slots are theirs
                Connection c = s.connect(owner % 2 == 0 ? "prepareThreshold=1" : "preferQueryMode=simple");
                good.add(CompletableFuture.runAsync(() -> goodSession(c, owner, fuzzing, goodOperations),
                        Thread::startVirtualThread));
            }
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            Semaphore concurrency = new Semaphore(FUZZ_CONCURRENCY);
            List<CompletableFuture<Void>> fuzz = new ArrayList<>();
            for (int i = 0; i < FUZZ_CONNECTIONS; i++) {
                long connSeed = swarm.nextLong();
                concurrency.acquire();
                fuzz.add(CompletableFuture.runAsync(() -> {
                    try {
                        String problem = fuzzOne(s.port(), connSeed);
                        if (problem != null) {
                            problems.add("connection seed " + connSeed + ": " + problem);
                        }
                    } finally {
                        concurrency.release();
                    }
                }, Thread::startVirtualThread));
            }
            CompletableFuture.allOf(fuzz.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            fuzzing.set(false);
            CompletableFuture.allOf(good.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertEquals(List.of(), List.copyOf(problems), "seed " + seed);
            assertTrue(goodOperations.get() > 0, "the good sessions ran during the fuzzing");

            Await.until("only the good sessions' connections are left (seed " + seed + ")", BOUND,
                    () -> s.server.openConnections() == 0 && s.server.sessionSlotsTaken() == 0
                            && s.backend.openSessions() == 0);
            try (Connection c = s.connect(); PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM ctl WHERE owner = ?")) {
                long total = 0;
                for (int g = 0; g < GOOD_SESSIONS; g++) {
                    ps.setInt(1, g);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        total += rs.getLong(1);
                    }
                }
                assertEquals(goodOperations.get(), total, "every committed row of the good sessions is there");
            }
            System.out.println("FuzzTest seed=" + seed + ": " + FUZZ_CONNECTIONS + " fuzzed connections, "
                    + goodOperations.get() + " good transactions, errors by SQLSTATE: " + errorsBySqlState(s));
        }
    }

    private static Map<String, Double> errorsBySqlState(TestServer s) {
        Map<String, Double> out = new java.util.TreeMap<>();
        s.registry.find("cacdb.pgwire.errors").counters().forEach(c -> out.put(c.getId().getTag("sqlstate"),
                c.count()));
        return out;
    }

    /** A well-behaved client: insert, read back, a rolled-back failure now and then; any error fails the test. */
    private static void goodSession(Connection connection, int owner, AtomicBoolean fuzzing, AtomicLong committed) {
        try (Connection c = connection) {
            int id = 0;
            while (fuzzing.get() || id < 20) {
                id++;
                c.setAutoCommit(false);
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO ctl VALUES (?, ?, ?)")) {
                    ins.setInt(1, id);
                    ins.setInt(2, owner);
                    ins.setString(3, "row " + id + " of " + owner);
                    assertEquals(1, ins.executeUpdate());
                }
                if (id % 7 == 0) {
                    try (Statement st = c.createStatement()) {
                        st.executeQuery("SELECT cacdb_fail('40001')");
                        throw new AssertionError("cacdb_fail did not fail");
                    } catch (SQLException e) {
                        assertEquals("40001", e.getSQLState());
                    }
                    c.rollback();
                    continue;
                }
                c.commit();
                committed.incrementAndGet();
                c.setAutoCommit(true);
                try (PreparedStatement sel = c.prepareStatement("SELECT * FROM ctl WHERE id = ?")) {
                    sel.setInt(1, id);
                    try (ResultSet rs = sel.executeQuery()) {
                        boolean found = false;
                        while (rs.next()) {
                            if (rs.getInt(2) == owner) {
                                assertEquals("row " + id + " of " + owner, rs.getString(3));
                                found = true;
                            }
                        }
                        assertTrue(found, "row " + id + " of " + owner + " is there");
                    }
                }
            }
        } catch (SQLException e) {
            throw new AssertionError("a good session failed: " + e, e);
        }
    }

    // ------------------------------------------------------------------------------------------ one connection

    /** Sends one fuzzed stream, half-closes, reads until the server closes; returns a problem or null. */
    private static String fuzzOne(int port, long seed) {
        Random r = new Random(seed);
        byte[] stream = traffic(r);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(FUZZ_READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            CompletableFuture<byte[]> answers = CompletableFuture.supplyAsync(() -> readAll(socket),
                    Thread::startVirtualThread);
            OutputStream out = socket.getOutputStream();
            try {
                int at = 0;
                while (at < stream.length) {
                    int n = Math.min(stream.length - at, 1 + r.nextInt(r.nextBoolean() ? 16 : 4096));
                    out.write(stream, at, n);
                    out.flush();
                    at += n;
                }
                socket.shutdownOutput();
            } catch (SocketException e) {
                // the server closed on us mid-stream (it refused something): expected for fuzzed traffic
            }
            byte[] got = answers.get(FUZZ_READ_TIMEOUT_MILLIS * 2L, TimeUnit.MILLISECONDS);
            if (got == null) {
                return "the server neither answered nor closed within " + FUZZ_READ_TIMEOUT_MILLIS + " ms";
            }
            return wellFormed(got);
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static byte[] readAll(Socket socket) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            // a reset after the server closed with unread input on its side: the stream ended
        }
        return got.toByteArray();
    }

    /** Checks the server's bytes: single 'N' refusals before authentication, then well-framed backend messages. */
    private static String wellFormed(byte[] b) {
        int at = 0;
        boolean started = false;
        while (at < b.length) {
            if (!started && b[at] == 'N') {
                at++;
                continue;
            }
            started = true;
            if (b.length - at < 5) {
                return "a partial message header at the end (" + (b.length - at) + " bytes)";
            }
            char type = (char) b[at];
            int length = ByteBuffer.wrap(b, at + 1, 4).getInt();
            if ("RSKZTDCIENv123nst".indexOf(type) < 0) {
                return "unknown backend message type " + (int) type + " at " + at;
            }
            if (length < 4 || at + 1 + length > b.length) {
                // the server may have been cut off by our reset only between chunks, never inside a message header
                return "bad length " + length + " for '" + type + "' at " + at + " of " + b.length;
            }
            at += 1 + length;
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------ traffic

    /**
     * Statements of the valid conversations. No cacdb_sleep(): a session blocked in a statement while its connection
     * is paused for backpressure does not see the client leave until it writes (as in PostgreSQL without
     * client_connection_check_interval), so it would outlive the test; cancel on close is tested on its own.
     */
    private static final String[] SQL = {
        "SELECT 1", "SELECT * FROM ctl WHERE id = $1", "SELECT cacdb_generate(50)", "BEGIN", "COMMIT", "ROLLBACK",
        "SELECT cacdb_fail('22012')", "INSERT INTO nothere VALUES (1)", "SELECT $1::int4, $2::text", "", "SELEKT",
        "SELECT count(*) FROM ctl", "SET application_name = 'fuzz'", "SELECT 'é', 'ü'",
    };

    /** A stream: a valid conversation, then mutated (or pure random bytes, sometimes). */
    static byte[] traffic(Random r) {
        if (r.nextInt(10) == 0) {
            byte[] noise = new byte[r.nextInt(4096)];
            r.nextBytes(noise);
            return noise;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (r.nextInt(5) == 0) {
            b.writeBytes(Wire.sslRequest());
        }
        if (r.nextInt(20) == 0) {
            b.writeBytes(Wire.cancel(r.nextInt(50), r.nextInt()));
            return b.toByteArray();
        }
        b.writeBytes(Wire.startup(Map.of("user", "fuzz" + r.nextInt(3), "database", "test")));
        int messages = r.nextInt(40);
        for (int i = 0; i < messages; i++) {
            b.writeBytes(message(r));
        }
        if (r.nextInt(4) == 0) {
            b.writeBytes(Wire.terminate());
        }
        byte[] valid = b.toByteArray();
        return r.nextInt(6) == 0 ? valid : mutate(valid, r);
    }

    private static byte[] message(Random r) {
        String sql = SQL[r.nextInt(SQL.length)];
        return switch (r.nextInt(9)) {
            case 0, 1 -> Wire.query(sql);
            case 2 -> Wire.parse(r.nextBoolean() ? "" : "s" + r.nextInt(3), sql, r.nextBoolean() ? new int[0]
                    : new int[] {23, 0});
            case 3 -> Wire.bind(r.nextBoolean() ? "" : "p" + r.nextInt(3), r.nextBoolean() ? "" : "s" + r.nextInt(3),
                    r.nextBoolean() ? new short[0] : new short[] {(short) r.nextInt(2)},
                    r.nextBoolean() ? List.of() : Arrays.asList(Wire.utf8(Integer.toString(r.nextInt(100))), null),
                    new short[] {(short) r.nextInt(2)});
            case 4 -> Wire.execute(r.nextBoolean() ? "" : "p" + r.nextInt(3), r.nextInt(3));
            case 5 -> Wire.describe(r.nextBoolean() ? 'S' : 'P', r.nextBoolean() ? "" : "s" + r.nextInt(3));
            case 6 -> Wire.close(r.nextBoolean() ? 'S' : 'P', "s" + r.nextInt(3));
            case 7 -> r.nextBoolean() ? Wire.flush() : Wire.message('d', new byte[] {1});
            default -> Wire.sync();
        };
    }

    static byte[] mutate(byte[] valid, Random r) {
        byte[] b = valid.clone();
        int mutations = 1 + r.nextInt(4);
        for (int m = 0; m < mutations && b.length > 0; m++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(7)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8)); // a bit flip
                case 1 -> { // a word overwritten: often a length
                    for (int i = 0; i < 4 && at + i < b.length; i++) {
                        b[at + i] = (byte) r.nextInt();
                    }
                }
                case 2 -> b = Arrays.copyOf(b, at); // truncated
                case 3 -> { // bytes inserted
                    byte[] ins = new byte[1 + r.nextInt(16)];
                    r.nextBytes(ins);
                    b = splice(b, at, 0, ins);
                }
                case 4 -> b = splice(b, at, Math.min(b.length - at, 1 + r.nextInt(16)), new byte[0]); // deleted
                case 5 -> b = splice(b, at, 0, new byte[] {(byte) 0xC3, (byte) 0x28}); // invalid UTF-8
                default -> { // an oversized message header
                    byte[] header = ByteBuffer.allocate(5).put((byte) "QPBSDE".charAt(r.nextInt(6)))
                            .putInt(PgWireLimits.MAX_DATA_MESSAGE_BYTES + r.nextInt(1 << 20)).array();
                    b = splice(b, at, 0, header);
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
