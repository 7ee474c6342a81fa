package io.cacdb.server.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every frame round-trips, fed one byte per read; malformed frames are refused with a reason. */
class HaCodecTest {

    static final List<HaFrame> FRAMES = List.of(
            new HaFrame.Hello("n2"),
            new HaFrame.Heartbeat("n1", 3, 4711, 123_456_789L, 17),
            new HaFrame.StandbyStatus("n2", "CAUGHT_UP", 123_000_000L, Long.MAX_VALUE, 4096, 12, 5, 2, 32768),
            new HaFrame.Hello("ñode-ü"));

    /** A stream that hands out one byte per read call, as a slow TCP connection may. */
    static InputStream trickle(byte[] bytes) {
        return new InputStream() {
            int at;

            @Override
            public int read() {
                return at < bytes.length ? bytes[at++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (at >= bytes.length) {
                    return -1;
                }
                if (len == 0) {
                    return 0;
                }
                b[off] = bytes[at++];
                return 1;
            }
        };
    }

    @Test
    void framesRoundTripByteByByte() throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (HaFrame f : FRAMES) {
            all.writeBytes(HaCodec.encode(f));
        }
        InputStream in = trickle(all.toByteArray());
        for (HaFrame f : FRAMES) {
            assertEquals(f, HaCodec.read(in));
        }
        assertThrows(EOFException.class, () -> HaCodec.read(in), "a clean end of stream");
    }

    @Test
    void statusPressure() {
        assertEquals(0.5, new HaFrame.StandbyStatus("s", "x", 0, 0, 0, 0, 3, 1, 8).pressure());
        assertEquals(0.0, new HaFrame.StandbyStatus("s", "x", 0, 0, 0, 0, 0, 0, 0).pressure());
    }

    @Test
    void malformedFramesAreRefused() {
        byte[] good = HaCodec.encode(FRAMES.get(1));
        assertRefused(ByteBuffer.allocate(4).putInt(HaCodec.FRAME_BYTES_MAX + 1).array(), "outside");
        assertRefused(ByteBuffer.allocate(4).putInt(1).array(), "outside");
        byte[] version = good.clone();
        version[4] = 2;
        assertRefused(version, "protocol version 2");
        byte[] type = good.clone();
        type[5] = 9;
        assertRefused(type, "unknown frame type 9");
        byte[] shortBody = good.clone();
        ByteBuffer.wrap(shortBody).putInt(0, good.length - 4 - 8);
        assertRefused(java.util.Arrays.copyOf(shortBody, good.length - 8), "ends inside its body");
        byte[] longBody = java.util.Arrays.copyOf(good, good.length + 3);
        ByteBuffer.wrap(longBody).putInt(0, good.length - 4 + 3);
        assertRefused(longBody, "3 trailing bytes");
        assertThrows(EOFException.class, () -> HaCodec.read(new ByteArrayInputStream(
                java.util.Arrays.copyOf(good, good.length - 1))), "a connection closed inside a frame");
    }

    private static void assertRefused(byte[] bytes, String why) {
        HaCodec.HaProtocolException e = assertThrows(HaCodec.HaProtocolException.class,
                () -> HaCodec.read(trickle(bytes)));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
