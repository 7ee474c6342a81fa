package io.cacdb.server.pgwire;

import io.cacdb.leakcheck.NoLeaks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.server.pgwire.RawPgClient.Msg;
import io.cacdb.server.session.PgType;
import io.cacdb.server.session.TinySqlBackend;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The protocol message by message, with a byte-level client: sequences, rules and refusals PostgreSQL defines. */
@ExtendWith(NoLeaks.class)
class ProtocolTest {

    private static final short[] NONE = new short[0];

    private static String types(List<Msg> msgs) {
        return msgs.stream().map(m -> String.valueOf(m.type())).collect(Collectors.joining());
    }

    private static String text(Msg dataRow, int column) {
        ByteBuffer b = dataRow.buf();
        int n = b.getShort();
        for (int i = 0; i < n; i++) {
            int len = b.getInt();
            if (i == column) {
                return len < 0 ? null : new String(dataRow.body(), b.position(), len, StandardCharsets.UTF_8);
            }
            b.position(b.position() + Math.max(len, 0));
        }
        throw new AssertionError("no column " + column);
    }

    private static Msg first(List<Msg> msgs, char type) {
        return msgs.stream().filter(m -> m.type() == type).findFirst().orElseThrow(
                () -> new AssertionError("no '" + type + "' in " + msgs));
    }

    @Test
    void startupSequenceAfterRefusedEncryption() throws Exception {
        try (TestServer s = new TestServer(); RawPgClient c = new RawPgClient(s.port())) {
            c.send(Wire.sslRequest());
            assertEquals('N', c.readByte());
            c.send(Wire.gssEncRequest());
            assertEquals('N', c.readByte());
            List<Msg> msgs = c.startup("bob");
            assertEquals('R', msgs.get(0).type());
            assertEquals(0, msgs.get(0).buf().getInt(), "AuthenticationOk");
            assertEquals('K', msgs.get(msgs.size() - 2).type());
            assertEquals("Z", types(msgs.subList(msgs.size() - 1, msgs.size())));
            assertEquals('I', msgs.get(msgs.size() - 1).body()[0]);
            Map<String, String> params = new LinkedHashMap<>();
            for (Msg m : msgs.subList(1, msgs.size() - 2)) {
                assertEquals('S', m.type());
                String[] kv = new String(m.body(), StandardCharsets.UTF_8).split("\0");
                params.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
            for (String name : List.of("server_version", "server_encoding", "client_encoding", "DateStyle",
                    "integer_datetimes", "standard_conforming_strings", "TimeZone", "in_hot_standby",
                    "default_transaction_read_only", "is_superuser", "session_authorization", "application_name")) {
                assertTrue(params.containsKey(name), name + " reported: " + params);
            }
            assertEquals("bob", params.get("session_authorization"));
        }
    }

    @Test
    void extendedQueryHappyPath() throws Exception {
        try (TestServer s = new TestServer(); RawPgClient c = new RawPgClient(s.port())) {
            c.startup("bob");
            c.send(Wire.query("CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z')"));
            assertEquals("CCZ", types(c.readUntilReady()));
            c.send(Wire.concat(
                    Wire.parse("s", "SELECT * FROM t WHERE a = $1", 0),
                    Wire.describe('S', "s"),
                    Wire.bind("p", "s", new short[] {1}, List.of(new byte[] {0, 0, 0, 2}), new short[] {0}),
                    Wire.describe('P', "p"),
                    Wire.execute("p", 0),
                    Wire.close('P', "p"),
                    Wire.close('S', "s"),
                    Wire.sync()));
            List<Msg> msgs = c.readUntilReady();
            assertEquals("1tT2TDC33Z", types(msgs));
            ByteBuffer pd = msgs.get(1).buf();
            assertEquals(1, pd.getShort());
            assertEquals(PgType.INT4.oid(), pd.getInt(), "the unspecified parameter was inferred as int4");
            assertEquals("y", text(first(msgs, 'D'), 1));
            assertEquals("SELECT 1", new String(first(msgs, 'C').body(), 0, 8, StandardCharsets.UTF_8));
            // the statement is closed now
            c.send(Wire.concat(Wire.bind("", "s", NONE, List.of(), NONE), Wire.sync()));
            msgs = c.readUntilReady();
            assertEquals("EZ", types(msgs));
            assertEquals("26000", msgs.get(0).sqlState());
        }
    }

    @Test
    void describeOfAStatementWithoutRowsIsNoData() throws Exception {
        try (TestServer s = new TestServer(); RawPgClient c = new RawPgClient(s.port())) {
            c.startup("bob");
            c.send(Wire.concat(Wire.parse("", "BEGIN"), Wire.describe('S', ""), Wire.sync()));
            assertEquals("1tnZ", types(c.readUntilReady()));
        }
    }

    @Test
    void rowLimitSuspendsThePortal() throws Exception {
        try (TestServer s = new TestServer(); RawPgClient c = new RawPgClient(s.port())) {
            c.startup("bob");
            c.send(Wire.query("BEGIN"));
            c.readUntilReady();
            c.send(Wire.concat(Wire.parse("", "SELECT cacdb_generate(5)"), Wire.bind("cur", "", NONE, List.of(), NONE),
                    Wire.execute("cur", 2), Wire.sync()));
            List<Msg> msgs = c.readUntilReady();
            assertEquals("12DDsZ", types(msgs));
            assertEquals('T', msgs.get(msgs.size() - 1).body()[0], "still in the transaction block");
            c.send(Wire.concat(Wire.execute("cur", 2), Wire.execute("cur", 2), Wire.sync()));
            msgs = c.readUntilReady();
            assertEquals("DDsDCZ", types(msgs));
            assertEquals("5", text(msgs.get(3), 0));
            c.send(Wire.query("COMMIT"));
            c.readUntilReady();
            // the transaction ended, and the portal with it
            c.send(Wire.concat(Wire.execute("cur", 0), Wire.sync()));
            msgs = c.readUntilReady();
            assertEquals("EZ", types(msgs));
            assertEquals("34000", msgs.get(0).sqlState());
        }
    }

    @Test
    void afterAnErrorEverythingUntilSyncIsSkipped() throws Exception {
        try (TestServer s = new TestServer(); RawPgClient c = new RawPgClient(s.port())) {
            c.startup("bob");
            c.send(Wire.concat(
                    Wire.parse("", "SELECT cacdb_fail('22012')"),
                    Wire.bind("", "", NONE, List.of(), NONE),
                    Wire.execute("", 0),
                    Wire.parse("ok", "SELECT 1"), // skipped
                    Wire.query("SELECT 1"), // skipped too
                    Wire.sync(),
                    Wire.parse("ok", "SELECT 1"), Wire.bind("", "ok", NONE, List.of(), NONE),
                    Wire.execute("", 0), Wire.sync()));
            List<Msg> msgs = c.readUntilReady();
            assertEquals("12EZ", types(msgs));
            Map<Character, String> f = msgs.get(2).fields();
            assertEquals("ERROR", f.get('S'));
            assertEquals("ERROR", f.get('V'));
            assertEquals("22012", f.get('C'));
            assertEquals("failure requested: 22012", f.get('M'));
            assertEquals("the test asked for SQLSTATE 22012", f.get('D'));
            assertEquals("this is what the hint looks like", f.get('H'));
            assertEquals("8", f.get('P'));
            assertEquals("12DCZ", types(c.readUntilReady()), "the pipeline after Sync runs normally");
        }
    }

    @Test
    void aFailedTransactionBlockReportsEUntilRollback() throws Exception {
        try (TestServer s = new TestServer(); RawPgClient c = new RawPgClient(s.port())) {
            c.startup("bob");
            c.send(Wire.query("BEGIN"));
            assertEquals('T', c.readUntilReady().getLast().body()[0]);
            c.send(Wire.concat(Wire.parse("", "SELECT cacdb_fail('40001')"), Wire.bind("", "", NONE, List.of(), NONE),
                    Wire.execute("", 0), Wire.sync()));
            List<Msg> msgs = c.readUntilReady();
            assertEquals("12EZ", types(msgs));
            assertEquals('E', msgs.getLast().body()[0]);
            c.send(Wire.query("SELECT 1"));
            msgs = c.readUntilReady();
            assertEquals("25P02", msgs.get(0).sqlState());
            assertEquals('E', msgs.getLast().body()[0]);
            c.send(Wire.query("ROLLBACK"));
            assertEquals('I', c.readUntilReady().getLast().body()[0]);
        }
    }

    @Test
    void protocolRulesOfNamesAndCounts() throws Exception {
        try (TestServer s = new TestServer(); RawPgClient c = new RawPgClient(s.port())) {
            c.startup("bob");
            // a duplicate named statement
            c.send(Wire.concat(Wire.parse("a", "SELECT 1"), Wire.parse("a", "SELECT 2"), Wire.sync()));
            List<Msg> msgs = c.readUntilReady();
            assertEquals("1EZ", types(msgs));
            assertEquals("42P05", msgs.get(1).sqlState());
            // wrong number of parameters: an ERROR, the connection goes on
            c.send(Wire.concat(Wire.parse("", "SELECT $1::int4"), Wire.bind("", "", NONE, List.of(), NONE),
                    Wire.sync()));
            msgs = c.readUntilReady();
            assertEquals("1EZ", types(msgs));
            assertEquals("08P01", msgs.get(1).sqlState());
            assertEquals("ERROR", msgs.get(1).fields().get('S'));
            // two parameter formats for one parameter
            c.send(Wire.concat(Wire.parse("", "SELECT $1::int4"), Wire.bind("", "", new short[] {0, 0},
                    List.of(Wire.utf8("1")), NONE), Wire.sync()));
            assertEquals("08P01", c.readUntilReady().get(1).sqlState());
            // a parameter that does not parse as its type
            c.send(Wire.concat(Wire.parse("", "SELECT $1::int4"), Wire.bind("", "", NONE,
                    List.of(Wire.utf8("x1")), NONE), Wire.sync()));
            assertEquals("22P02", c.readUntilReady().get(1).sqlState());
            // a binary parameter of the wrong length
            c.send(Wire.concat(Wire.parse("", "SELECT $1::int4"), Wire.bind("", "", new short[] {1},
                    List.of(new byte[] {1, 2}), NONE), Wire.sync()));
            assertEquals("22P03", c.readUntilReady().get(1).sqlState());
            // a parameter type the server does not know
            c.send(Wire.concat(Wire.parse("", "SELECT $1", 114), Wire.sync()));
            assertEquals("42704", c.readUntilReady().get(0).sqlState());
            // one format code applies to every parameter; one result format to every column
            c.send(Wire.concat(Wire.parse("", "SELECT $1::int4 AS x, $2::int8 AS y"),
                    Wire.bind("", "", new short[] {1}, List.of(new byte[] {0, 0, 0, 9}, new byte[8]), new short[] {1}),
                    Wire.execute("", 0), Wire.sync()));
            msgs = c.readUntilReady();
            assertEquals("12DCZ", types(msgs));
            ByteBuffer row = msgs.get(2).buf();
            assertEquals(2, row.getShort());
            assertEquals(4, row.getInt());
            assertEquals(9, row.getInt());
            // the simple Query destroys the unnamed statement
            c.send(Wire.concat(Wire.parse("", "SELECT 1"), Wire.sync()));
            c.readUntilReady();
            c.send(Wire.query("SELECT 2"));
            c.readUntilReady();
            c.send(Wire.concat(Wire.bind("", "", NONE, List.of(), NONE), Wire.sync()));
            assertEquals("26000", c.readUntilReady().get(0).sqlState());
            // closing what does not exist is not an error
            c.send(Wire.concat(Wire.close('S', "nope"), Wire.close('P', "nope"), Wire.sync()));
            assertEquals("33Z", types(c.readUntilReady()));
        }
    }

    @Test
    void emptyQueriesNoticesFlushAndFunctionCalls() throws Exception {
        try (TestServer s = new TestServer(); RawPgClient c = new RawPgClient(s.port())) {
            c.startup("bob");
            c.send(Wire.query(""));
            assertEquals("IZ", types(c.readUntilReady()));
            c.send(Wire.query(" ; "));
            assertEquals("IZ", types(c.readUntilReady()));
            c.send(Wire.concat(Wire.parse("", ""), Wire.bind("", "", NONE, List.of(), NONE), Wire.execute("", 0),
                    Wire.sync()));
            assertEquals("12IZ", types(c.readUntilReady()));
            c.send(Wire.query("SELECT cacdb_notice('psst')"));
            List<Msg> msgs = c.readUntilReady();
            assertEquals("NTDCZ", types(msgs));
            assertEquals("psst", msgs.get(0).fields().get('M'));
            assertEquals("NOTICE", msgs.get(0).fields().get('V'));
            // Flush sends what is pending without a Sync
            c.send(Wire.concat(Wire.parse("f", "SELECT 1"), Wire.flush()));
            assertEquals('1', c.read().type());
            c.send(Wire.sync());
            assertEquals("Z", types(c.readUntilReady()));
            // FunctionCall is refused like a query: ErrorResponse then ReadyForQuery
            c.send(Wire.message('F', new byte[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
            msgs = c.readUntilReady();
            assertEquals("EZ", types(msgs));
            assertEquals("0A000", msgs.get(0).sqlState());
            // CopyData outside COPY is ignored
            c.send(Wire.concat(Wire.message('d', new byte[] {1, 2}), Wire.query("SELECT 1")));
            assertEquals("TDCZ", types(c.readUntilReady()));
        }
    }

    @Test
    void invalidUtf8IsAnErrorAndTheConnectionGoesOn() throws Exception {
        try (TestServer s = new TestServer(); RawPgClient c = new RawPgClient(s.port())) {
            c.startup("bob");
            c.send(Wire.message('Q', new byte[] {'S', (byte) 0xE2, (byte) 0x28, (byte) 0xA1, 0}));
            List<Msg> msgs = c.readUntilReady();
            assertEquals("EZ", types(msgs));
            assertEquals("22021", msgs.get(0).sqlState());
            c.send(Wire.concat(Wire.message('P', new byte[] {0, (byte) 0xFF, 0, 0, 0}), Wire.bind("", "", NONE,
                    List.of(), NONE), Wire.sync()));
            msgs = c.readUntilReady();
            assertEquals("EZ", types(msgs), "the Bind after the bad Parse is skipped");
            assertEquals("22021", msgs.get(0).sqlState());
            c.send(Wire.query("SELECT 'ok'"));
            assertEquals("TDCZ", types(c.readUntilReady()));
        }
    }

    @Test
    void framingViolationsAreFatal() throws Exception {
        try (TestServer s = new TestServer()) {
            for (byte[] bad : List.of(
                    ByteBuffer.allocate(5).put((byte) 'Q').putInt(PgWireLimits.MAX_DATA_MESSAGE_BYTES + 1).array(),
                    ByteBuffer.allocate(5).put((byte) 'S').putInt(1_000_000).array(),
                    Wire.message('Y', new byte[0]),
                    Wire.message('S', new byte[] {1}),
                    Wire.message('p', new byte[] {1}))) {
                try (RawPgClient c = new RawPgClient(s.port())) {
                    c.startup("bob");
                    c.send(bad);
                    List<Msg> msgs = c.readUntilClosed();
                    assertEquals("E", types(msgs), Arrays.toString(bad));
                    assertEquals("08P01", msgs.get(0).sqlState());
                    assertEquals("FATAL", msgs.get(0).fields().get('S'));
                }
            }
            Await.until("the refused sessions ended", Duration.ofSeconds(10), () -> s.backend.openSessions() == 0);
        }
    }

    @Test
    void startupRefusals() throws Exception {
        try (TestServer s = new TestServer()) {
            try (RawPgClient c = new RawPgClient(s.port())) {
                c.send(Wire.startup(Map.of("database", "x")));
                List<Msg> msgs = c.readUntilClosed();
                assertEquals("28000", msgs.get(0).sqlState());
            }
            try (RawPgClient c = new RawPgClient(s.port())) {
                c.send(Wire.startup(Map.of("user", "u", "client_encoding", "LATIN1")));
                assertEquals("22023", c.readUntilClosed().get(0).sqlState());
            }
            try (RawPgClient c = new RawPgClient(s.port())) {
                c.send(Wire.startup(Map.of("user", "u", "database", "nosuchdb")));
                List<Msg> msgs = c.readUntilClosed();
                assertEquals("RE", types(msgs));
                assertEquals("3D000", msgs.get(1).sqlState());
                assertEquals("FATAL", msgs.get(1).fields().get('S'));
            }
            try (RawPgClient c = new RawPgClient(s.port())) {
                c.send(Wire.untyped(ByteBuffer.allocate(8).putInt(2 << 16).putInt(0).array()));
                assertEquals("08P01", c.readUntilClosed().get(0).sqlState());
            }
            try (RawPgClient c = new RawPgClient(s.port())) {
                // protocol 3.1 with a protocol option: NegotiateProtocolVersion, then a normal start
                ByteBuffer b = ByteBuffer.allocate(64).putInt(3 << 16 | 1);
                for (String str : List.of("user", "u", "_pq_.compression", "on", "")) {
                    b.put(Wire.utf8(str)).put((byte) 0);
                }
                byte[] body = Arrays.copyOf(b.array(), b.position());
                c.send(Wire.untyped(body));
                List<Msg> msgs = c.readUntilReady();
                assertEquals('v', msgs.get(0).type());
                ByteBuffer v = msgs.get(0).buf();
                assertEquals(0, v.getInt());
                assertEquals(1, v.getInt());
            }
        }
    }

    @Test
    void authenticationTimeoutClosesIdleHandshakes() throws Exception {
        PgServerConfig config = PgServerConfig.defaults().withAuthenticationTimeout(Duration.ofMillis(200));
        try (TestServer s = new TestServer(config, new TinySqlBackend()); RawPgClient c = new RawPgClient(s.port())) {
            assertEquals(List.of(), c.readUntilClosed(), "closed without a word");
        }
    }

    @Test
    void terminateClosesTheConnection() throws Exception {
        try (TestServer s = new TestServer(); RawPgClient c = new RawPgClient(s.port())) {
            c.startup("bob");
            c.send(Wire.terminate());
            assertEquals(List.of(), c.readUntilClosed());
            Await.until("the session closed", Duration.ofSeconds(10), () -> s.backend.openSessions() == 0);
        }
    }

    @Test
    void cancelNeedsTheRightKey() throws Exception {
        try (TestServer s = new TestServer(); RawPgClient a = new RawPgClient(s.port())) {
            Msg key = first(a.startup("bob"), 'K');
            int pid = key.buf().getInt();
            int secret = key.buf().getInt(4);
            a.send(Wire.query("SELECT cacdb_sleep()"));
            assertTrue(s.backend.awaitSleeping(1, 10, TimeUnit.SECONDS));
            try (RawPgClient b = new RawPgClient(s.port())) {
                b.send(Wire.cancel(pid, secret + 1));
                assertEquals(List.of(), b.readUntilClosed());
            }
            assertEquals(1, s.backend.sleepingStatements(), "a wrong key cancels nothing");
            try (RawPgClient b = new RawPgClient(s.port())) {
                b.send(Wire.cancel(pid, secret));
                assertEquals(List.of(), b.readUntilClosed());
            }
            List<Msg> msgs = a.readUntilReady();
            assertEquals("EZ", types(msgs.subList(msgs.size() - 2, msgs.size())));
            assertEquals("57014", msgs.get(msgs.size() - 2).sqlState());
        }
    }

    @Test
    void closingAConnectionCancelsItsStatement() throws Exception {
        try (TestServer s = new TestServer()) {
            RawPgClient a = new RawPgClient(s.port());
            a.startup("bob");
            a.send(Wire.query("SELECT cacdb_sleep()"));
            assertTrue(s.backend.awaitSleeping(1, 10, TimeUnit.SECONDS));
            a.close();
            Await.until("the statement was cancelled and the session closed", Duration.ofSeconds(10),
                    () -> s.backend.sleepingStatements() == 0 && s.backend.openSessions() == 0);
        }
    }

    @Test
    void shutdownTellsClientsFatal57P01() throws Exception {
        TestServer s = new TestServer();
        try (RawPgClient c = new RawPgClient(s.port())) {
            c.startup("bob");
            s.close();
            List<Msg> msgs = c.readUntilClosed();
            assertEquals("E", types(msgs));
            assertEquals("57P01", msgs.get(0).sqlState());
        }
        assertThrows(IOException.class, () -> {
            try (RawPgClient c = new RawPgClient(s.port())) {
                c.startup("bob");
            }
        });
    }

    /**
     * A client that pipelines far more than the server buffers and does not read: its session waits on the slow
     * reader (more results than the kernel's socket buffers hold), its queue fills and the server stops reading from
     * it. Once the client reads, every answer arrives, in order.
     */
    @Test
    void backpressureBothWays() throws Exception {
        PgServerConfig config = PgServerConfig.defaults().withInboundHighWater(16, 64 << 10)
                .withOutboundWaterMarks(8 << 10, 32 << 10);
        int queries = 1_000;
        int rowsPerQuery = 1_000; // about 15 MB of results in all
        try (TestServer s = new TestServer(config, new TinySqlBackend()); RawPgClient c = new RawPgClient(s.port())) {
            c.startup("bob");
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < queries; i++) {
                        c.send(Wire.query("SELECT cacdb_generate(" + rowsPerQuery + ")"));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Await.until("the session waits for the client and reading stops", Duration.ofSeconds(30),
                    () -> s.registry.find("cacdb.pgwire.write.waits").counter().count() > 0
                            && s.registry.find("cacdb.pgwire.read.pauses").counter().count() > 0);
            int ready = 0;
            long rows = 0;
            int expected = 1;
            while (ready < queries) {
                Msg m = c.read();
                if (m.type() == 'Z') {
                    ready++;
                    assertEquals(rowsPerQuery + 1, expected, "every row of query " + ready);
                    expected = 1;
                } else if (m.type() == 'D') {
                    rows++;
                    assertEquals(Integer.toString(expected++), text(m, 0));
                } else {
                    assertTrue(m.type() == 'T' || m.type() == 'C', "unexpected " + m);
                }
            }
            writer.get(10, TimeUnit.SECONDS);
            assertEquals((long) queries * rowsPerQuery, rows);
        }
    }

    @Test
    void manyConnectionsAtOnceEachKeepItsOwnOrder() throws Exception {
        try (TestServer s = new TestServer()) {
            List<CompletableFuture<Void>> clients = new ArrayList<>();
            for (int k = 0; k < 40; k++) {
                int id = k;
                clients.add(CompletableFuture.runAsync(() -> {
                    try (RawPgClient c = new RawPgClient(s.port())) {
                        c.startup("u" + id);
                        for (int i = 0; i < 50; i++) {
                            c.send(Wire.concat(Wire.parse("", "SELECT $1::int4 AS v"),
                                    Wire.bind("", "", NONE, List.of(Wire.utf8(Integer.toString(id * 1000 + i))), NONE),
                                    Wire.execute("", 0), Wire.sync()));
                        }
                        for (int i = 0; i < 50; i++) {
                            List<Msg> msgs = c.readUntilReady();
                            assertEquals(Integer.toString(id * 1000 + i), text(first(msgs, 'D'), 0));
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, Thread::startVirtualThread));
            }
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void readingFromAClosedConnectionFailsFast() {
        assertThrows(EOFException.class, () -> {
            try (TestServer s = new TestServer(); RawPgClient c = new RawPgClient(s.port())) {
                c.send(Wire.cancel(1, 1));
                c.read();
            }
        });
    }
}
