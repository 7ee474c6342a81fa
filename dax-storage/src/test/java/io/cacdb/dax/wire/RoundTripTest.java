package io.cacdb.dax.wire;

import io.cacdb.leakcheck.NoLeaks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockSummary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request and response type, with boundary values, through the real encoder, then {@link DaxFrameDecoder} and
 * the request or response decoder: fed whole, one byte at a time, split in two at every offset, and concatenated
 * with all the others. The decoded message must equal the one sent (field by field; block payloads by content) and
 * re-encode to the same bytes.
 */
@ExtendWith(NoLeaks.class)
class RoundTripTest {

    private static final List<Samples.Case<DaxResponse>> RESPONSES = Samples.responses();
    private static final WireFormat.ReadAddressLookup READ_ADDRESSES = Samples.readAddresses(RESPONSES);

    static List<Samples.Case<DaxRequest>> requests() {
        return Samples.requests();
    }

    static List<Samples.Case<DaxResponse>> responses() {
        return RESPONSES;
    }

    // ---------------------------------------------------------------------------------------------- one frame

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void requestRoundTripsWholeBytewiseAndSplitAtEveryOffset(Samples.Case<DaxRequest> c) {
        byte[] frame = Samples.encode(c.sent());
        assertLengthField(frame);

        DaxRequest decoded = assertRequestDecoded(c, Pipe.server().feed(frame).finishSingle());
        assertReencodes(frame, c.sent(), c.decoded(), Samples.encode(decoded));
        assertRequestDecoded(c, Pipe.server().feedBytewise(frame).finishSingle());
        for (int cut : cuts(frame.length)) {
            assertRequestDecoded(c, Pipe.server().feedSplit(frame, cut).finishSingle());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void responseRoundTripsWholeBytewiseAndSplitAtEveryOffset(Samples.Case<DaxResponse> c) {
        byte[] frame = Samples.encode(c.sent());
        assertLengthField(frame);

        DaxResponse decoded = assertResponseDecoded(c, client().feed(frame).finishSingle());
        byte[] reencoded = Samples.encode(decoded);
        assertReencodes(frame, c.sent(), c.decoded(), reencoded);
        assertResponseDecoded(new Samples.Case<>(c.name(), c.decoded(), c.decoded()),
                client().feed(reencoded).finishSingle());
        assertResponseDecoded(c, client().feedBytewise(frame).finishSingle());
        for (int cut : cuts(frame.length)) {
            assertResponseDecoded(c, client().feedSplit(frame, cut).finishSingle());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.cacdb.dax.wire.Samples#largeRequests")
    void largeRequestRoundTrips(Samples.Case<DaxRequest> c) {
        byte[] frame = Samples.encode(c.sent());
        assertLengthField(frame);
        for (Supplier<Pipe> fed : largeFeeds(Pipe::server, frame)) {
            assertRequestDecoded(c, fed.get().finishSingle());
        }
        assertReencodes(frame, c.sent(), c.decoded(), Samples.encode(c.decoded()));
    }

    @Test
    void largeResponsesRoundTrip() {
        List<Samples.Case<DaxResponse>> large = Samples.largeResponses();
        WireFormat.ReadAddressLookup lookup = Samples.readAddresses(large);
        for (Samples.Case<DaxResponse> c : large) {
            byte[] frame = Samples.encode(c.sent());
            assertLengthField(frame);
            DaxResponse decoded = null;
            for (Supplier<Pipe> fed : largeFeeds(() -> Pipe.client(lookup), frame)) {
                decoded = assertResponseDecoded(c, fed.get().finishSingle());
            }
            assertReencodes(frame, c.sent(), c.decoded(), Samples.encode(decoded));
        }
    }

    /**
     * Feeding a megabyte one byte at a time under paranoid leak tracking takes minutes, so a large frame goes
     * whole, in 64 KiB + 1 chunks, and byte by byte across its header and last bytes with one big chunk between.
     */
    private static List<Supplier<Pipe>> largeFeeds(Supplier<Pipe> pipe, byte[] frame) {
        int edge = 64;
        return List.of(
                () -> pipe.get().feed(frame),
                () -> pipe.get().feedChunks(frame, (64 << 10) + 1),
                () -> {
                    Pipe p = pipe.get();
                    for (int i = 0; i < edge; i++) {
                        p.feed(frame, i, i + 1);
                    }
                    p.feed(frame, edge, frame.length - edge);
                    for (int i = frame.length - edge; i < frame.length; i++) {
                        p.feed(frame, i, i + 1);
                    }
                    return p;
                });
    }

    // ------------------------------------------------------------------------------------ concatenated frames

    @Test
    void allRequestsConcatenatedDecodeInOrderHoweverTheyAreSplit() {
        List<Samples.Case<DaxRequest>> cases = Samples.requests();
        byte[] stream = Samples.concat(cases.stream().map(c -> Samples.encode(c.sent())).toList());
        List<Object> expected = cases.stream().<Object>map(c -> new DecodedRequest.Valid(c.decoded())).toList();

        assertEquals(expected, Pipe.server().feed(stream).finish());
        assertEquals(expected, Pipe.server().feedBytewise(stream).finish());
        for (int cut = 0; cut <= stream.length; cut++) {
            assertEquals(expected, Pipe.server().feedSplit(stream, cut).finish(), "split at " + cut);
        }
        assertEquals(expected, Pipe.server().feedSplit(stream, frameEnds(stream)).finish(), "split at frame ends");
    }

    @Test
    void allResponsesConcatenatedDecodeInOrderHoweverTheyAreSplit() {
        byte[] stream = Samples.concat(RESPONSES.stream().map(c -> Samples.encode(c.sent())).toList());
        List<Object> expected = RESPONSES.stream().<Object>map(Samples.Case::decoded).toList();

        assertEquals(expected, client().feed(stream).finish());
        assertEquals(expected, client().feedBytewise(stream).finish());
        // Every offset of each frame is covered above; here, every offset near each frame boundary.
        for (int end : frameEnds(stream)) {
            for (int cut = Math.max(0, end - 2); cut <= Math.min(stream.length, end + 2); cut++) {
                assertEquals(expected, client().feedSplit(stream, cut).finish(), "split at " + cut);
            }
        }
        assertEquals(expected, client().feedSplit(stream, frameEnds(stream)).finish(), "split at frame ends");
    }

    @Test
    void requestsAndLargeRequestsInterleavedInOneBuffer() {
        List<Samples.Case<DaxRequest>> cases = new ArrayList<>(Samples.requests());
        cases.add(1, Samples.largeRequests().get(0));
        cases.add(Samples.largeRequests().get(0));
        byte[] stream = Samples.concat(cases.stream().map(c -> Samples.encode(c.sent())).toList());
        List<Object> expected = cases.stream().<Object>map(c -> new DecodedRequest.Valid(c.decoded())).toList();

        assertEquals(expected, Pipe.server().feed(stream).finish());
        assertEquals(expected, Pipe.server().feedChunks(stream, 4093).finish());
    }

    // -------------------------------------------------------------------------------------------- checks

    private static Pipe client() {
        return Pipe.client(READ_ADDRESSES);
    }

    /** Frames up to this size are split at every offset; see {@link #cuts}. */
    private static final int SPLIT_EVERY_OFFSET_MAX_BYTES = 512;

    /**
     * Where to split (or cut) a frame: every offset for frames up to {@link #SPLIT_EVERY_OFFSET_MAX_BYTES}; for longer
     * ones (only long strings and payloads) every offset in the first and last 128 bytes, where all the fixed
     * fields and the string and payload lengths are, and every 17th offset between.
     */
    static int[] cuts(int frameLength) {
        if (frameLength <= SPLIT_EVERY_OFFSET_MAX_BYTES) {
            return IntStream.rangeClosed(0, frameLength).toArray();
        }
        return IntStream.rangeClosed(0, frameLength)
                .filter(cut -> cut <= 128 || cut >= frameLength - 128 || cut % 17 == 0)
                .toArray();
    }

    /** Offsets where each frame of a well-formed stream ends (read from the length fields). */
    static int[] frameEnds(byte[] stream) {
        List<Integer> ends = new ArrayList<>();
        for (int at = 0; at + 4 <= stream.length; ) {
            at += 4 + (((stream[at] & 0xff) << 24) | ((stream[at + 1] & 0xff) << 16) | ((stream[at + 2] & 0xff) << 8)
                    | (stream[at + 3] & 0xff));
            ends.add(at);
        }
        return ends.stream().mapToInt(Integer::intValue).filter(e -> e < stream.length).toArray();
    }

    private static void assertLengthField(byte[] frame) {
        int length = ((frame[0] & 0xff) << 24) | ((frame[1] & 0xff) << 16) | ((frame[2] & 0xff) << 8)
                | (frame[3] & 0xff);
        assertEquals(frame.length - 4, length, "length field");
        assertEquals(WireLimits.PROTOCOL_VERSION, frame[4], "version");
    }

    private static DaxRequest assertRequestDecoded(Samples.Case<DaxRequest> c, Object event) {
        DecodedRequest.Valid valid = assertInstanceOf(DecodedRequest.Valid.class, event, c.name());
        DaxRequest got = valid.request();
        DaxRequest want = c.decoded();
        assertEquals(want.getClass(), got.getClass());
        assertEquals(want.requestId(), got.requestId(), "requestId");
        assertEquals(want.opcode(), got.opcode(), "opcode");
        switch (want) {
            case DaxRequest.Write w -> {
                DaxRequest.Write g = (DaxRequest.Write) got;
                assertEquals(w.writerEpoch(), g.writerEpoch(), "writerEpoch");
                assertBlock(w.block(), g.block());
            }
            default -> assertEquals(want, got); // records without arrays: equals is field by field
        }
        assertEquals(want, got);
        return got;
    }

    private static DaxResponse assertResponseDecoded(Samples.Case<DaxResponse> c, Object event) {
        DaxResponse got = assertInstanceOf(DaxResponse.class, event, c.name());
        DaxResponse want = c.decoded();
        assertEquals(want.getClass(), got.getClass());
        assertEquals(want.requestId(), got.requestId(), "requestId");
        assertEquals(want.opcode(), got.opcode(), "opcode");
        switch (want) {
            case DaxResponse.ReadResult r -> {
                DaxResponse.ReadResult g = (DaxResponse.ReadResult) got;
                assertEquals(r.found(), g.found(), "found");
                if (r.found()) {
                    assertBlock(r.block(), g.block());
                }
            }
            case DaxResponse.ScanResult s -> {
                DaxResponse.ScanResult g = (DaxResponse.ScanResult) got;
                assertEquals(s.entries().size(), g.entries().size(), "entry count");
                for (int i = 0; i < s.entries().size(); i++) {
                    BlockSummary a = s.entries().get(i);
                    BlockSummary b = g.entries().get(i);
                    assertEquals(a, b, "entry " + i);
                }
                assertEquals(s.more(), g.more(), "more");
                assertEquals(s.nextFromBlockNo(), g.nextFromBlockNo(), "nextFromBlockNo");
            }
            case DaxResponse.Error e -> {
                DaxResponse.Error g = (DaxResponse.Error) got;
                assertEquals(e.status(), g.status(), "status");
                assertEquals(e.rawOpcode(), g.rawOpcode(), "rawOpcode");
                assertEquals(e.detail(), g.detail(), "detail");
                assertEquals(e.message(), g.message(), "message");
                assertTrue(g.message().getBytes(StandardCharsets.UTF_8).length <= WireLimits.MAX_ERROR_MESSAGE_BYTES);
            }
            case DaxResponse.Pong p -> {
                DaxResponse.Pong g = (DaxResponse.Pong) got;
                assertEquals(p.serverId(), g.serverId(), "serverId");
                assertEquals(p.zone(), g.zone(), "zone");
            }
            default -> {
            }
        }
        assertEquals(want, got);
        return got;
    }

    /**
     * The decoded message re-encodes to the frame that was sent, or, when the format cut a string, to a frame
     * that decodes to itself. Checked once per case: equal messages encode to equal bytes.
     */
    private static void assertReencodes(byte[] sentFrame, Object sent, Object decoded, byte[] reencoded) {
        if (sent == decoded) {
            assertArrayEquals(sentFrame, reencoded, "re-encoded bytes equal the sent ones");
        } else {
            assertTrue(reencoded.length <= sentFrame.length, "a cut message is not longer than the sent one");
        }
    }

    private static void assertBlock(Block want, Block got) {
        assertEquals(want.address(), got.address(), "address");
        assertEquals(want.version(), got.version(), "version");
        assertEquals(want.crc32c(), got.crc32c(), "crc32c");
        assertEquals(want.payload().length, got.payload().length, "payload length");
        assertTrue(Arrays.equals(want.payload(), got.payload()), "payload bytes");
        assertEquals(want.checksumValid(), got.checksumValid(), "checksum validity");
        assertEquals(want, got);
    }

}
