package io.cacdb.server.pgwire;

import io.cacdb.leakcheck.NoLeaks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The framing ({@link PgFrameDecoder}) and codec ({@link FrontendMessageDecoder}) together, fed byte by byte through
 * an {@link EmbeddedChannel} with paranoid leak detection: every message type, every refusal, and the discarding
 * after a refusal.
 */
@ExtendWith(NoLeaks.class)
class FrontendDecodingTest {

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new PgFrameDecoder(), new FrontendMessageDecoder());
    }

    /** Feeds the bytes one at a time and returns every message decoded. */
    private static List<FrontendMessage> feedByteByByte(EmbeddedChannel ch, byte[] bytes) {
        List<FrontendMessage> out = new ArrayList<>();
        for (byte b : bytes) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            for (Object m; (m = ch.readInbound()) != null; ) {
                out.add((FrontendMessage) m);
            }
        }
        return out;
    }

    private static List<FrontendMessage> feedAll(byte[] bytes) {
        EmbeddedChannel ch = channel();
        List<FrontendMessage> out = feedByteByByte(ch, bytes);
        assertFalse(ch.finish(), "nothing left over");
        return out;
    }

    private static final byte[] STARTUP = Wire.startup(new LinkedHashMap<>(Map.of("user", "alice")));

    @Test
    void startupThenEveryRegularMessage() {
        byte[] stream = Wire.concat(STARTUP,
                Wire.query("SELECT 1"),
                Wire.parse("s1", "SELECT $1", 23, 0),
                Wire.bind("p1", "s1", new short[] {1}, Arrays.asList(new byte[] {0, 0, 0, 7}, null),
                        new short[] {0, 1}),
                Wire.describe('S', "s1"),
                Wire.describe('P', "p1"),
                Wire.execute("p1", 10),
                Wire.close('P', "p1"),
                Wire.flush(),
                Wire.sync(),
                Wire.message('p', new byte[] {1, 2, 3}),
                Wire.message('d', new byte[] {9}),
                Wire.terminate());
        List<FrontendMessage> msgs = feedAll(stream);
        assertEquals(13, msgs.size(), msgs.toString());
        FrontendMessage.Startup s = assertInstanceOf(FrontendMessage.Startup.class, msgs.get(0));
        assertEquals(3, s.majorVersion());
        assertEquals(0, s.minorVersion());
        assertEquals(Map.of("user", "alice"), s.parameters());
        assertEquals(new FrontendMessage.Query("SELECT 1"), msgs.get(1));
        FrontendMessage.Parse p = assertInstanceOf(FrontendMessage.Parse.class, msgs.get(2));
        assertEquals("s1", p.statementName());
        assertEquals("SELECT $1", p.sql());
        assertArrayEquals(new int[] {23, 0}, p.parameterOids());
        FrontendMessage.Bind b = assertInstanceOf(FrontendMessage.Bind.class, msgs.get(3));
        assertEquals("p1", b.portalName());
        assertEquals("s1", b.statementName());
        assertArrayEquals(new short[] {1}, b.parameterFormats());
        assertArrayEquals(new byte[] {0, 0, 0, 7}, b.parameters().get(0));
        assertNull(b.parameters().get(1));
        assertArrayEquals(new short[] {0, 1}, b.resultFormats());
        assertEquals(new FrontendMessage.Describe((byte) 'S', "s1"), msgs.get(4));
        assertEquals(new FrontendMessage.Describe((byte) 'P', "p1"), msgs.get(5));
        assertEquals(new FrontendMessage.Execute("p1", 10), msgs.get(6));
        assertEquals(new FrontendMessage.Close((byte) 'P', "p1"), msgs.get(7));
        assertInstanceOf(FrontendMessage.Flush.class, msgs.get(8));
        assertInstanceOf(FrontendMessage.Sync.class, msgs.get(9));
        assertArrayEquals(new byte[] {1, 2, 3}, assertInstanceOf(FrontendMessage.AuthData.class, msgs.get(10)).body());
        assertEquals(new FrontendMessage.CopyMessage((byte) 'd'), msgs.get(11));
        assertInstanceOf(FrontendMessage.Terminate.class, msgs.get(12));
    }

    @Test
    void encryptionRequestsKeepTheStartupPhase() {
        List<FrontendMessage> msgs = feedAll(Wire.concat(Wire.sslRequest(), Wire.gssEncRequest(), STARTUP,
                Wire.sync()));
        assertInstanceOf(FrontendMessage.SslRequest.class, msgs.get(0));
        assertInstanceOf(FrontendMessage.GssEncRequest.class, msgs.get(1));
        assertInstanceOf(FrontendMessage.Startup.class, msgs.get(2));
        assertInstanceOf(FrontendMessage.Sync.class, msgs.get(3));
    }

    @Test
    void aThirdEncryptionRequestIsRefused() {
        List<FrontendMessage> msgs = feedAll(Wire.concat(Wire.sslRequest(), Wire.sslRequest(), Wire.sslRequest(),
                STARTUP));
        assertEquals(4, msgs.size(), msgs.toString());
        assertFatal(msgs.get(3), "too many encryption requests");
    }

    @Test
    void cancelRequestEndsTheStream() {
        List<FrontendMessage> msgs = feedAll(Wire.concat(Wire.cancel(42, -7), STARTUP, Wire.sync()));
        assertEquals(List.of(new FrontendMessage.CancelRequest(42, -7)), msgs);
    }

    @Test
    void unsupportedProtocolVersionIsRefused() {
        byte[] v2 = Wire.untyped(ByteBuffer.allocate(8).putInt(2 << 16).putInt(0).array());
        List<FrontendMessage> msgs = feedAll(Wire.concat(v2, STARTUP));
        assertEquals(1, msgs.size(), msgs.toString());
        assertFatal(msgs.get(0), "unsupported frontend protocol 2.0");
    }

    @Test
    void startupLengthOutOfBoundsIsRefusedAndTheRestDiscarded() {
        byte[] tooShort = ByteBuffer.allocate(4).putInt(7).array();
        assertFatalOnly(Wire.concat(tooShort, STARTUP), "invalid length of startup packet: 7");
        byte[] tooLong = ByteBuffer.allocate(4).putInt(PgWireLimits.MAX_STARTUP_PACKET_BYTES + 1).array();
        assertFatalOnly(Wire.concat(tooLong, STARTUP), "invalid length of startup packet");
        byte[] negative = ByteBuffer.allocate(4).putInt(-1).array();
        assertFatalOnly(Wire.concat(negative, STARTUP), "invalid length of startup packet: 4294967295");
    }

    @Test
    void unknownMessageTypeIsRefused() {
        List<FrontendMessage> msgs = feedAll(Wire.concat(STARTUP, Wire.sync(), Wire.message('Z', new byte[0]),
                Wire.sync()));
        assertEquals(3, msgs.size(), msgs.toString());
        assertFatal(msgs.get(2), "invalid frontend message type 90");
    }

    @Test
    void oversizedMessagesAreRefusedBeforeBuffering() {
        // a Bind one byte over the data limit, a Sync over the control limit: refused from the header alone
        byte[] bigBind = ByteBuffer.allocate(5).put((byte) 'B').putInt(PgWireLimits.MAX_DATA_MESSAGE_BYTES + 1)
                .array();
        List<FrontendMessage> msgs = feedAll(Wire.concat(STARTUP, bigBind));
        assertFatal(msgs.get(1), "invalid message length " + (PgWireLimits.MAX_DATA_MESSAGE_BYTES + 1));
        byte[] bigSync = ByteBuffer.allocate(5).put((byte) 'S').putInt(PgWireLimits.MAX_CONTROL_MESSAGE_BYTES + 1)
                .array();
        msgs = feedAll(Wire.concat(STARTUP, bigSync));
        assertFatal(msgs.get(1), "invalid message length");
        byte[] shortLength = ByteBuffer.allocate(5).put((byte) 'Q').putInt(3).array();
        msgs = feedAll(Wire.concat(STARTUP, shortLength, Wire.sync()));
        assertEquals(2, msgs.size());
        assertFatal(msgs.get(1), "invalid message length 3");
    }

    @Test
    void malformedBodiesAreFatal() {
        // a Bind whose parameter count runs past the end of the message
        byte[] body = {'p', 0, 's', 0, 0, 0, 0, 5, 0, 0, 0, 1};
        assertFatal(feedAll(Wire.concat(STARTUP, Wire.message('B', body))).get(1), "insufficient data left");
        // a Query without its terminator
        assertFatal(feedAll(Wire.concat(STARTUP, Wire.message('Q', Wire.utf8("SELECT 1")))).get(1),
                "has no terminator");
        // a Sync with a body
        assertFatal(feedAll(Wire.concat(STARTUP, Wire.message('S', new byte[] {1}))).get(1), "trailing bytes");
        // a Describe of something that is neither S nor P
        assertFatal(feedAll(Wire.concat(STARTUP, Wire.describe('X', "a"))).get(1), "invalid Describe message subtype");
        // a format code that is neither 0 nor 1
        assertFatal(feedAll(Wire.concat(STARTUP, Wire.bind("", "", new short[] {2}, List.of(), new short[0])))
                .get(1), "unsupported format code: 2");
        // a negative parameter length other than -1
        byte[] negative = {0, 0, 0, 0, 0, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE, 0, 0};
        assertFatal(feedAll(Wire.concat(STARTUP, Wire.message('B', negative))).get(1), "invalid length -2");
        // a cancel request of the wrong size
        byte[] longCancel = Wire.untyped(ByteBuffer.allocate(16).putInt(PgWireLimits.CANCEL_REQUEST_CODE).putInt(1)
                .putInt(2).putInt(3).array());
        assertFatal(feedAll(longCancel).get(0), "invalid length of cancel request packet");
    }

    @Test
    void invalidUtf8InAWellFramedMessageIsAnErrorNotFatal() {
        byte[] badQuery = Wire.message('Q', new byte[] {'S', (byte) 0xC3, (byte) 0x28, 0});
        List<FrontendMessage> msgs = feedAll(Wire.concat(STARTUP, badQuery, Wire.sync()));
        assertEquals(3, msgs.size(), msgs.toString());
        FrontendMessage.Refused r = assertInstanceOf(FrontendMessage.Refused.class, msgs.get(1));
        assertFalse(r.fatal());
        assertEquals("22021", r.sqlState().code());
        assertEquals('Q', r.messageType());
        assertTrue(r.message().startsWith("invalid byte sequence for encoding \"UTF8\": 0xc3"), r.message());
        assertInstanceOf(FrontendMessage.Sync.class, msgs.get(2));
        // in the startup packet it is fatal
        byte[] badStartup = Wire.untyped(Wire.concat(ByteBuffer.allocate(4).putInt(PgWireLimits.PROTOCOL_3_0).array(),
                new byte[] {'u', 's', 'e', 'r', 0, (byte) 0xFF, 0, 0}));
        FrontendMessage.Refused s = assertInstanceOf(FrontendMessage.Refused.class, feedAll(badStartup).get(0));
        assertTrue(s.fatal());
    }

    private static void assertFatalOnly(byte[] stream, String message) {
        List<FrontendMessage> msgs = feedAll(stream);
        assertEquals(1, msgs.size(), msgs.toString());
        assertFatal(msgs.get(0), message);
    }

    private static void assertFatal(FrontendMessage m, String messagePart) {
        FrontendMessage.Refused r = assertInstanceOf(FrontendMessage.Refused.class, m);
        assertTrue(r.fatal(), r.toString());
        assertEquals("08P01", r.sqlState().code());
        assertTrue(r.message().contains(messagePart), r.message() + " should contain " + messagePart);
    }
}
