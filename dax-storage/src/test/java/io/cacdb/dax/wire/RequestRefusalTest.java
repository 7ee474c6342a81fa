package io.cacdb.dax.wire;

import io.cacdb.leakcheck.NoLeaks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every way the server's decoder refuses a well-framed request: the exact {@link Status}, whether the connection is
 * to be closed, the request id and raw opcode echoed, and that the next valid frame on the same channel still
 * decodes (except after an unsupported version, which closes the connection). Each frame is fed whole and one
 * byte at a time; {@link Pipe#finish()} and {@link NoLeaks} check nothing leaked.
 */
@ExtendWith(NoLeaks.class)
class RequestRefusalTest {

    private static final long ID = 0x0102_0304_0506_0708L;
    private static final byte[] NEXT = Samples.encode(new DaxRequest.Ping(99));
    private static final DecodedRequest NEXT_DECODED = new DecodedRequest.Valid(new DaxRequest.Ping(99));

    private static final Block BLOCK = Block.of(BlockAddress.page(3, 4), Version.ofPage(5), Samples.payload(20, 7));
    private static final byte[] CREATE = Samples.encode(new DaxRequest.CreateVolume(ID, 1));
    private static final byte[] WRITE = Samples.encode(new DaxRequest.Write(ID, 2, BLOCK));
    private static final byte[] READ = Samples.encode(new DaxRequest.Read(ID, BlockAddress.log(1, 2)));
    private static final byte[] FENCE = Samples.encode(new DaxRequest.Fence(ID, 1, 2));
    private static final byte[] DELETE = Samples.encode(new DaxRequest.DeleteBelow(ID, 1, 2, Space.META, 3));
    private static final byte[] SCAN = Samples.encode(new DaxRequest.Scan(ID, 1, Space.PAGE, 2, 3, 4));

    /** Body offsets (from the start of the length field) of the WRITE frame's fields. */
    private static final int WRITE_EPOCH = 14;
    private static final int WRITE_VOLUME = 22;
    private static final int WRITE_SPACE = 30;
    private static final int WRITE_BLOCK_NO = 31;
    private static final int WRITE_MAJOR = 39;
    private static final int WRITE_MINOR = 47;
    private static final int WRITE_PAYLOAD_LENGTH = 59;

    // ---------------------------------------------------------------------------------------- header refusals

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {0, 2, 0x7F, 0x80, 0xFF})
    void unsupportedVersionIsRefusedAndClosesTheConnection(int version) {
        for (byte[] valid : List.of(Samples.encode(new DaxRequest.Ping(ID)), WRITE, SCAN)) {
            byte[] frame = FrameEdit.withByte(valid, FrameEdit.VERSION_AT, version);
            DecodedRequest.Invalid invalid = refused(frame, Status.UNSUPPORTED_VERSION, "version");
            assertTrue(invalid.closeConnection(), "an unsupported version closes the connection");
        }
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {0x00, 0x08, 0x7F, 0x80, 0x81, 0x87, 0xFF})
    void unknownOpcodeIsRefusedAndTheConnectionStaysUsable(int opcode) {
        byte[] withBody = FrameEdit.withByte(WRITE, FrameEdit.OPCODE_AT, opcode);
        byte[] withoutBody = FrameEdit.withByte(Samples.encode(new DaxRequest.Ping(ID)), FrameEdit.OPCODE_AT, opcode);
        for (byte[] frame : List.of(withBody, withoutBody)) {
            DecodedRequest.Invalid invalid = refusedThenNextDecodes(frame, Status.UNKNOWN_OPCODE, "opcode");
            assertEquals((byte) opcode, invalid.rawOpcode());
            assertEquals(Status.UNKNOWN_OPCODE, invalid.toResponse().status());
            assertEquals((byte) opcode, invalid.toResponse().rawOpcode());
        }
    }

    // -------------------------------------------------------------------------------------- body refusals

    static List<Samples.Case<DaxRequest>> requestsWithBody() {
        return Samples.requests().stream().filter(c -> !(c.sent() instanceof DaxRequest.Ping)).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestsWithBody")
    void truncatedBodyIsABadRequestAtEveryLength(Samples.Case<DaxRequest> c) {
        byte[] valid = Samples.encode(c.sent());
        for (int total : FrameEdit.truncations(valid.length, FrameEdit.BODY_AT)) {
            DecodedRequest.Invalid invalid = refusedThenNextDecodes(FrameEdit.cut(valid, total), Status.BAD_REQUEST,
                    "truncated");
            assertEquals(c.sent().requestId(), invalid.requestId());
            assertEquals(c.sent().opcode().code(), invalid.rawOpcode());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.cacdb.dax.wire.Samples#requests")
    void trailingBytesAreABadRequest(Samples.Case<DaxRequest> c) {
        byte[] valid = Samples.encode(c.sent());
        for (byte[] extra : List.of(new byte[1], new byte[] {1, 2, 3, 4, 5, 6, 7}, NEXT)) {
            refusedThenNextDecodes(FrameEdit.append(valid, extra), Status.BAD_REQUEST, "trailing");
        }
    }

    /** A long field that must be >= 0: the frame, the offset of the field, and the word the refusal names. */
    record NonNegativeField(String name, byte[] frame, int at, String named) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<NonNegativeField> nonNegativeFields() {
        List<NonNegativeField> f = new ArrayList<>();
        f.add(new NonNegativeField("create volume: volume", CREATE, 14, "volume"));
        f.add(new NonNegativeField("write: writer epoch", WRITE, WRITE_EPOCH, "writer epoch"));
        f.add(new NonNegativeField("write: volume", WRITE, WRITE_VOLUME, "volume"));
        f.add(new NonNegativeField("write: block number", WRITE, WRITE_BLOCK_NO, "block number"));
        f.add(new NonNegativeField("write: version major", WRITE, WRITE_MAJOR, "version major"));
        f.add(new NonNegativeField("write: version minor", WRITE, WRITE_MINOR, "version minor"));
        f.add(new NonNegativeField("read: volume", READ, 14, "volume"));
        f.add(new NonNegativeField("read: block number", READ, 23, "block number"));
        f.add(new NonNegativeField("fence: volume", FENCE, 14, "volume"));
        f.add(new NonNegativeField("fence: epoch", FENCE, 22, "epoch"));
        f.add(new NonNegativeField("delete below: writer epoch", DELETE, 14, "writer epoch"));
        f.add(new NonNegativeField("delete below: volume", DELETE, 22, "volume"));
        f.add(new NonNegativeField("delete below: block number", DELETE, 31, "block number"));
        f.add(new NonNegativeField("scan: volume", SCAN, 14, "volume"));
        f.add(new NonNegativeField("scan: from", SCAN, 23, "scan start"));
        f.add(new NonNegativeField("scan: to", SCAN, 31, "scan end"));
        return f;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonNegativeFields")
    void negativeValueIsABadRequest(NonNegativeField field) {
        for (long negative : new long[] {-1, Long.MIN_VALUE}) {
            byte[] frame = FrameEdit.withLong(field.frame(), field.at(), negative);
            refusedThenNextDecodes(frame, Status.BAD_REQUEST, field.named() + " must be >= 0");
        }
        // The same field at its largest value is accepted: the check is on the sign, not an arbitrary bound.
        Object accepted = Pipe.server().feed(FrameEdit.withLong(field.frame(), field.at(), Long.MAX_VALUE))
                .finishSingle();
        assertInstanceOf(DecodedRequest.Valid.class, accepted);
    }

    @ParameterizedTest(name = "space code {0}")
    @ValueSource(ints = {0, 4, 0x7F, 0x80, 0xFF})
    void unknownSpaceCodeIsABadRequest(int code) {
        for (byte[] frame : List.of(FrameEdit.withByte(WRITE, WRITE_SPACE, code), FrameEdit.withByte(READ, 22, code),
                FrameEdit.withByte(DELETE, 30, code), FrameEdit.withByte(SCAN, 22, code))) {
            refusedThenNextDecodes(frame, Status.BAD_REQUEST, "unknown space code");
        }
    }

    @ParameterizedTest(name = "payload length {0}")
    @ValueSource(ints = {-1, Integer.MIN_VALUE, WireLimits.MAX_BLOCK_PAYLOAD_BYTES + 1, Integer.MAX_VALUE})
    void payloadLengthOutsideTheLimitIsABadRequest(int length) {
        byte[] frame = FrameEdit.withInt(WRITE, WRITE_PAYLOAD_LENGTH, length);
        refusedThenNextDecodes(frame, Status.BAD_REQUEST, "payload length");
    }

    @ParameterizedTest(name = "payload length {0}")
    @ValueSource(ints = {21, 1000, WireLimits.MAX_BLOCK_PAYLOAD_BYTES})
    void payloadLengthBeyondTheFrameIsABadRequest(int length) {
        byte[] frame = FrameEdit.withInt(WRITE, WRITE_PAYLOAD_LENGTH, length); // the frame holds 20 bytes
        refusedThenNextDecodes(frame, Status.BAD_REQUEST, "truncated");
    }

    @Test
    void payloadLengthShorterThanTheFrameLeavesTrailingBytes() {
        byte[] frame = FrameEdit.withInt(WRITE, WRITE_PAYLOAD_LENGTH, 19);
        refusedThenNextDecodes(frame, Status.BAD_REQUEST, "trailing");
    }

    @ParameterizedTest(name = "maxEntries {0}")
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE, WireLimits.MAX_SCAN_ENTRIES + 1, Integer.MAX_VALUE})
    void scanMaxEntriesOutsideTheLimitIsABadRequest(int maxEntries) {
        refusedThenNextDecodes(FrameEdit.withInt(SCAN, 39, maxEntries), Status.BAD_REQUEST, "maxEntries");
    }

    // ------------------------------------------------------------------------------------------------ checks

    /** Frames up to this size are also fed byte by byte; longer ones (big payloads) in small odd chunks. */
    private static final int BYTEWISE_MAX_BYTES = 256;

    /** Feeds {@code frame} whole and byte by byte; each must give one refusal with {@code status}. */
    private static DecodedRequest.Invalid refused(byte[] frame, Status status, String messagePart) {
        DecodedRequest.Invalid first = null;
        Pipe pieces = frame.length <= BYTEWISE_MAX_BYTES ? Pipe.server().feedBytewise(frame)
                : Pipe.server().feedChunks(frame, 61);
        for (Pipe pipe : List.of(Pipe.server().feed(frame), pieces)) {
            DecodedRequest.Invalid invalid = assertInstanceOf(DecodedRequest.Invalid.class, pipe.finishSingle());
            assertInvalid(frame, invalid, status, messagePart);
            if (first != null) {
                assertEquals(first, invalid, "the same refusal whole and byte by byte");
            }
            first = invalid;
        }
        return first;
    }

    /** As {@link #refused}, and a valid frame after the refused one, in the same buffer, still decodes. */
    private static DecodedRequest.Invalid refusedThenNextDecodes(byte[] frame, Status status, String messagePart) {
        DecodedRequest.Invalid invalid = refused(frame, status, messagePart);
        assertEquals(false, invalid.closeConnection(), "a bad body leaves the connection open");
        byte[] stream = FrameEdit.concat(frame, NEXT);
        List<Object> events = Pipe.server().feed(stream).finish();
        assertEquals(2, events.size(), events.toString());
        assertEquals(invalid, events.get(0));
        assertEquals(NEXT_DECODED, events.get(1));
        return invalid;
    }

    private static void assertInvalid(byte[] frame, DecodedRequest.Invalid invalid, Status status,
            String messagePart) {
        assertEquals(status, invalid.status(), invalid.message());
        assertTrue(invalid.message().contains(messagePart),
                "message '" + invalid.message() + "' should mention '" + messagePart + "'");
        assertEquals(ByteBuffer.wrap(frame).getLong(6), invalid.requestId(), "request id echoed");
        assertEquals(frame[FrameEdit.OPCODE_AT], invalid.rawOpcode(), "raw opcode echoed");
        DaxResponse.Error answer = invalid.toResponse();
        assertEquals(status, answer.status());
        assertEquals(invalid.requestId(), answer.requestId());
    }
}
