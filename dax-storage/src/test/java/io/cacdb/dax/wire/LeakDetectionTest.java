package io.cacdb.dax.wire;

import io.cacdb.leakcheck.NoLeaks;
import io.cacdb.leakcheck.LeakRecorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The leak check the other wire tests rely on does catch a leak: without this, "no leaks" would prove nothing. */
@ExtendWith(NoLeaks.class)
class LeakDetectionTest {

    /** Bound on GC rounds before giving up on seeing the deliberate leak (each round is one full GC). */
    private static final int MAX_GC_ROUNDS = 50;

    @Test
    void aBufferDroppedWithoutReleaseIsRecordedAsALeak() {
        // A unique hint: Netty reports identical access records only once per JVM, and we must find our own leak.
        String hint = "deliberate leak " + UUID.randomUUID();
        System.out.println("ByteBuf leaks are caught by the " + LeakRecorder.byteBufHook());
        leakOneBuffer(hint);

        List<LeakRecorder.Leak> ours = List.of();
        for (int round = 0; round < MAX_GC_ROUNDS && ours.isEmpty(); round++) {
            LeakRecorder.gcAndWait();
            ByteBufAllocator.DEFAULT.buffer(1).release(); // makes the detector poll its queue
            ours = LeakRecorder.take(leak -> leak.records().contains(hint));
        }

        assertEquals(1, ours.size(), "the deliberately leaked buffer was not reported within " + MAX_GC_ROUNDS
                + " GC rounds");
        assertTrue(ours.get(0).resourceType().contains("ByteBuf"), ours.get(0).resourceType());
    }

    @Test
    void aFrameLeftUnreleasedBehindTheFrameDecoderIsRecordedAsALeak() {
        // The realistic bug: a handler after DaxFrameDecoder forgets to release the frame it was given.
        String hint = "frame leak " + UUID.randomUUID();
        leakOneFrame(hint);

        List<LeakRecorder.Leak> ours = List.of();
        for (int round = 0; round < MAX_GC_ROUNDS && ours.isEmpty(); round++) {
            LeakRecorder.gcAndWait();
            ByteBufAllocator.DEFAULT.buffer(1).release();
            ours = LeakRecorder.take(leak -> leak.records().contains(hint));
        }

        assertEquals(1, ours.size(), "the unreleased frame was not reported within " + MAX_GC_ROUNDS + " GC rounds");
    }

    private static void leakOneBuffer(String hint) {
        ByteBuf leaked = ByteBufAllocator.DEFAULT.buffer(16);
        leaked.writeLong(42).touch(hint);
    }

    private static void leakOneFrame(String hint) {
        EmbeddedChannel channel = new EmbeddedChannel(new DaxFrameDecoder());
        ByteBuf frame = ByteBufAllocator.DEFAULT.buffer();
        WireFormat.encodeRequest(new DaxRequest.Ping(7), frame);
        channel.writeInbound(frame);
        ByteBuf out = channel.readInbound();
        out.touch(hint);
        channel.finish();
    }
}
