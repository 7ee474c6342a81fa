package io.cacdb.dax.wire;

import io.cacdb.leakcheck.NoLeaks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DaxFrameDecoder}'s refusals: a length below the header or above {@link WireLimits#MAX_FRAME_BYTES} is
 * raised once, as soon as the 4 length bytes are in (nothing waits for or buffers the announced frame), and every
 * later byte is discarded and released.
 */
@ExtendWith(NoLeaks.class)
class FrameDecoderTest {

    private static final byte[] PING = Samples.encode(new DaxRequest.Ping(77));

    @ParameterizedTest(name = "length {0}")
    @ValueSource(longs = {0, 1, WireLimits.HEADER_BYTES - 1})
    void lengthBelowTheHeaderIsCorruptAndEverythingAfterIsDiscarded(long length) {
        byte[] stream = FrameEdit.concat(FrameEdit.lengthField(length), new byte[WireLimits.HEADER_BYTES], PING);

        assertRaisedOnceThenDiscards(CorruptedFrameException.class, stream);
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(longs = {WireLimits.MAX_FRAME_BYTES + 1L, Integer.MAX_VALUE, 1L << 31, 0xFFFF_FFFFL})
    void lengthAboveTheLimitIsTooLongAndEverythingAfterIsDiscarded(long length) {
        byte[] stream = FrameEdit.concat(FrameEdit.lengthField(length), PING, PING);

        assertRaisedOnceThenDiscards(TooLongFrameException.class, stream);
    }

    @Test
    void aTooLongFrameIsRefusedOnItsLengthAloneAndItsBytesAreNotBuffered() {
        Pipe pipe = Pipe.server();
        pipe.feed(FrameEdit.lengthField(WireLimits.MAX_FRAME_BYTES + 1L));
        List<Object> afterLength = pipe.events();
        assertEquals(1, afterLength.size(), "refused before any byte of the frame arrived: " + afterLength);
        assertInstanceOf(TooLongFrameException.class, afterLength.get(0));

        // The announced frame, and more: discarded chunk by chunk (finish() checks each chunk was released).
        byte[] garbage = Samples.payload(3 * WireLimits.MAX_FRAME_BYTES, 9);
        pipe.feedChunks(garbage, 64 << 10);
        pipe.feed(PING);
        assertEquals(afterLength, pipe.finish(), "nothing after the refusal");
    }

    @Test
    void framesBeforeABadLengthInTheSameBufferAreDelivered() {
        byte[] stream = FrameEdit.concat(PING, PING, FrameEdit.lengthField(3), PING);
        for (Pipe pipe : List.of(Pipe.server().feed(stream), Pipe.server().feedBytewise(stream))) {
            List<Object> events = pipe.finish();
            assertEquals(3, events.size(), events.toString());
            assertEquals(new DecodedRequest.Valid(new DaxRequest.Ping(77)), events.get(0));
            assertEquals(new DecodedRequest.Valid(new DaxRequest.Ping(77)), events.get(1));
            assertInstanceOf(CorruptedFrameException.class, events.get(2));
        }
    }

    @Test
    void aFrameOfExactlyTheLimitIsFramedAndLeftToTheMessageDecoder() {
        byte[] frame = FrameEdit.append(PING, new byte[WireLimits.MAX_FRAME_BYTES - WireLimits.HEADER_BYTES]);
        assertEquals(WireLimits.MAX_FRAME_BYTES + 4, frame.length);

        Object event = Pipe.server().feedChunks(frame, 256 << 10).finishSingle();

        DecodedRequest.Invalid invalid = assertInstanceOf(DecodedRequest.Invalid.class, event);
        assertEquals(Status.BAD_REQUEST, invalid.status());
        assertTrue(invalid.message().contains("trailing"), invalid.message());
    }

    @Test
    void aPartialFrameAtCloseIsDroppedAndReleased() {
        for (int keep = 1; keep < PING.length; keep++) {
            assertEquals(List.of(), Pipe.server().feed(PING, 0, keep).finish(), "first " + keep + " bytes");
        }
    }

    private static void assertRaisedOnceThenDiscards(Class<? extends Throwable> expected, byte[] stream) {
        for (Pipe pipe : List.of(Pipe.server().feed(stream), Pipe.server().feedBytewise(stream),
                Pipe.client(id -> null).feed(stream))) {
            List<Object> events = pipe.finish();
            assertEquals(1, events.size(), "raised once, then nothing decoded: " + events);
            assertInstanceOf(expected, events.get(0));
        }
    }
}
