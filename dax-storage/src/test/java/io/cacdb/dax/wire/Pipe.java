package io.cacdb.dax.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoding pipeline on an {@link EmbeddedChannel} ({@link DaxFrameDecoder} then a request or response decoder),
 * fed bytes in chosen chunks. Everything that reaches the end of the pipeline is kept in order as an event: a
 * decoded message, or the exception the pipeline raised (so a test sees what was decoded before a failure, and
 * whether decoding went on after it).
 *
 * <p>Input chunks come from an unpooled, leak-tracked allocator (a recycled pooled buffer could show a live
 * reference count after release); {@link #finish()} closes the channel and asserts every chunk was released.
 */
final class Pipe {

    private final EmbeddedChannel channel;
    private final List<Object> events = new ArrayList<>();
    private final List<ByteBuf> inputs = new ArrayList<>();

    private Pipe(ChannelInboundHandlerAdapter messageDecoder) {
        this.channel = new EmbeddedChannel(new DaxFrameDecoder(), messageDecoder, new Recorder());
    }

    /** Server side: frames to {@link DecodedRequest}. */
    static Pipe server() {
        return new Pipe(new RequestDecoder());
    }

    /** Client side: frames to {@link DaxResponse}, READ addresses found through {@code lookup}. */
    static Pipe client(WireFormat.ReadAddressLookup lookup) {
        return new Pipe(new ResponseDecoder(lookup));
    }

    /** Feeds {@code bytes[from, to)} as one inbound buffer. */
    Pipe feed(byte[] bytes, int from, int to) {
        ByteBuf chunk = UnpooledByteBufAllocator.DEFAULT.heapBuffer(to - from, Math.max(1, to - from));
        chunk.writeBytes(bytes, from, to - from);
        inputs.add(chunk);
        channel.writeInbound(chunk);
        return this;
    }

    Pipe feed(byte[] bytes) {
        return feed(bytes, 0, bytes.length);
    }

    /** Feeds {@code bytes} in chunks ending at each of {@code cuts} (ascending, within the array), then the rest. */
    Pipe feedSplit(byte[] bytes, int... cuts) {
        int from = 0;
        for (int cut : cuts) {
            feed(bytes, from, cut);
            from = cut;
        }
        return feed(bytes, from, bytes.length);
    }

    Pipe feedBytewise(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            feed(bytes, i, i + 1);
        }
        return this;
    }

    /** Feeds {@code bytes} in chunks of {@code size} bytes (the last may be shorter). */
    Pipe feedChunks(byte[] bytes, int size) {
        for (int from = 0; from < bytes.length; from += size) {
            feed(bytes, from, Math.min(bytes.length, from + size));
        }
        return this;
    }

    /** Events so far, without closing. */
    List<Object> events() {
        return List.copyOf(events);
    }

    /**
     * Closes the channel (which runs the decoders' end-of-input path), asserts nothing is left in it and every
     * input chunk was released, and returns the events.
     */
    List<Object> finish() {
        boolean pending = channel.finish();
        assertFalse(pending, "messages left in the channel after finish");
        for (int i = 0; i < inputs.size(); i++) {
            assertEquals(0, inputs.get(i).refCnt(), "input chunk " + i + " was not released");
        }
        return List.copyOf(events);
    }

    /** The single event of a run that must produce exactly one. */
    Object finishSingle() {
        List<Object> all = finish();
        if (all.size() != 1) {
            fail("expected exactly one event, got " + all);
        }
        return all.get(0);
    }

    private final class Recorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ReferenceCounted) {
                ReferenceCountUtil.release(msg);
                events.add(new AssertionError("a reference-counted message left the decoder: " + msg));
                return;
            }
            events.add(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            events.add(cause);
        }
    }
}
