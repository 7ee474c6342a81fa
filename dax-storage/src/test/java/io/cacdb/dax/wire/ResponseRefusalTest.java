package io.cacdb.dax.wire;

import io.cacdb.leakcheck.NoLeaks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Version;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every way the client's decoder refuses a response: a {@link DecoderException} wrapping a
 * {@link DaxProtocolException} with the exact {@link Status}, raised for that frame only (the decoder is stateless;
 * the client's handler closes the connection), fed whole and one byte at a time, with nothing leaked.
 */
@ExtendWith(NoLeaks.class)
class ResponseRefusalTest {

    private static final long READ_ID = 500;
    private static final Block BLOCK = Block.of(BlockAddress.page(3, 4), Version.ofPage(5), Samples.payload(20, 8));
    private static final WireFormat.ReadAddressLookup LOOKUP = id -> id == READ_ID ? BLOCK.address() : null;

    private static final byte[] PONG = Samples.encode(new DaxResponse.Pong(1, "s", "z"));
    private static final byte[] ACK = Samples.encode(new DaxResponse.WriteAck(2, DaxResponse.WriteOutcome.APPLIED,
            new Version(1, 2)));
    private static final byte[] READ = Samples.encode(new DaxResponse.ReadResult(READ_ID, BLOCK));
    private static final byte[] NOT_FOUND = Samples.encode(new DaxResponse.ReadResult(READ_ID, null));
    private static final byte[] FENCED = Samples.encode(new DaxResponse.Fenced(3, 4));
    private static final byte[] DELETED = Samples.encode(new DaxResponse.Deleted(5, 6));
    private static final byte[] SCAN = Samples.encode(new DaxResponse.ScanResult(7, List.of(
            new BlockSummary(1, new Version(2, 3), 4), new BlockSummary(5, new Version(6, 7), 8)), true, 9));
    private static final byte[] ERROR = Samples.encode(new DaxResponse.Error(10, Opcode.WRITE, Opcode.WRITE.code(),
            Status.STALE_EPOCH, 11, "stale"));

    private static final byte[] NEXT = Samples.encode(new DaxResponse.Fenced(99, 100));

    /** READ response fields: found flag, version, crc, payload length (offsets from the length field). */
    private static final int READ_FOUND = 16;
    private static final int READ_PAYLOAD_LENGTH = 37;
    /** SCAN response fields: entry count, first entry, and the trailer after two entries. */
    private static final int SCAN_COUNT = 16;
    private static final int SCAN_FIRST_ENTRY = 20;
    private static final int SCAN_MORE = 20 + 2 * 28;

    // ---------------------------------------------------------------------------------------- header refusals

    @ParameterizedTest(name = "status {0}")
    @ValueSource(ints = {14, 0x00FF, 0x7FFF, 0xFFFF})
    void unknownStatusIsRefused(int status) {
        for (byte[] valid : List.of(PONG, ERROR)) {
            refused(FrameEdit.withShort(valid, 14, status), Status.BAD_REQUEST, "unknown status");
        }
    }

    @Test
    void frameWithoutTheResponseBitIsRefused() {
        for (Opcode opcode : Opcode.values()) {
            byte[] frame = FrameEdit.withByte(PONG, FrameEdit.OPCODE_AT, opcode.code());
            refused(frame, Status.BAD_REQUEST, "response bit");
        }
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {0, 2, 0xFF})
    void unsupportedVersionIsRefused(int version) {
        refused(FrameEdit.withByte(PONG, FrameEdit.VERSION_AT, version), Status.UNSUPPORTED_VERSION, "version");
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {0x80, 0x88, 0xFF})
    void okResponseForAnUnknownOpcodeIsRefused(int opcode) {
        refused(FrameEdit.withByte(FENCED, FrameEdit.OPCODE_AT, opcode), Status.UNKNOWN_OPCODE, "unknown opcode");
    }

    @Test
    void frameTooShortForAStatusIsRefused() {
        for (int total : new int[] {14, 15}) {
            refused(FrameEdit.cut(PONG, total), Status.BAD_REQUEST, "too short");
        }
    }

    // ---------------------------------------------------------------------------------------- body refusals

    @ParameterizedTest(name = "outcome {0}")
    @ValueSource(ints = {3, 0x7F, 0x80, 0xFF})
    void unknownWriteOutcomeIsRefused(int outcome) {
        refused(FrameEdit.withByte(ACK, 16, outcome), Status.BAD_REQUEST, "outcome");
    }

    @Test
    void readResponseForAnUnknownRequestIsRefused() {
        byte[] frame = FrameEdit.withLong(READ, 6, READ_ID + 1);
        refused(frame, Status.BAD_REQUEST, "unknown request");
        // A not-found READ carries no block, so it needs no address.
        Object decoded = Pipe.client(LOOKUP).feed(FrameEdit.withLong(NOT_FOUND, 6, READ_ID + 1)).finishSingle();
        assertEquals(new DaxResponse.ReadResult(READ_ID + 1, null), decoded);
    }

    static List<Samples.Case<DaxResponse>> responsesWithBody() {
        return Samples.responseLayouts().stream().filter(c -> !(c.sent() instanceof DaxResponse.VolumeCreated))
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responsesWithBody")
    void truncatedBodyIsRefusedAtEveryLength(Samples.Case<DaxResponse> c) {
        byte[] valid = Samples.encode(c.sent());
        WireFormat.ReadAddressLookup lookup = Samples.readAddresses(List.of(c));
        for (int total : FrameEdit.truncations(valid.length, FrameEdit.RESPONSE_BODY_AT)) {
            refused(FrameEdit.cut(valid, total), lookup, Status.BAD_REQUEST, "truncated");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.cacdb.dax.wire.Samples#responseLayouts")
    void trailingBytesAreRefused(Samples.Case<DaxResponse> c) {
        byte[] valid = Samples.encode(c.sent());
        WireFormat.ReadAddressLookup lookup = Samples.readAddresses(List.of(c));
        for (byte[] extra : List.of(new byte[1], NEXT)) {
            refused(FrameEdit.append(valid, extra), lookup, Status.BAD_REQUEST, "trailing");
        }
    }

    record NonNegativeField(String name, byte[] frame, int at, String named) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<NonNegativeField> nonNegativeFields() {
        List<NonNegativeField> f = new ArrayList<>();
        f.add(new NonNegativeField("write ack: version major", ACK, 17, "version major"));
        f.add(new NonNegativeField("write ack: version minor", ACK, 25, "version minor"));
        f.add(new NonNegativeField("read: version major", READ, 17, "version major"));
        f.add(new NonNegativeField("read: version minor", READ, 25, "version minor"));
        f.add(new NonNegativeField("fenced: epoch", FENCED, 16, "epoch"));
        f.add(new NonNegativeField("deleted: truncation point", DELETED, 16, "truncation point"));
        f.add(new NonNegativeField("scan: entry block number", SCAN, SCAN_FIRST_ENTRY, "block number"));
        f.add(new NonNegativeField("scan: entry version major", SCAN, SCAN_FIRST_ENTRY + 8, "version major"));
        f.add(new NonNegativeField("scan: entry version minor", SCAN, SCAN_FIRST_ENTRY + 16, "version minor"));
        f.add(new NonNegativeField("scan: second entry block number", SCAN, SCAN_FIRST_ENTRY + 28, "block number"));
        f.add(new NonNegativeField("scan: next block", SCAN, SCAN_MORE + 1, "next block"));
        return f;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonNegativeFields")
    void negativeValueIsRefused(NonNegativeField field) {
        for (long negative : new long[] {-1, Long.MIN_VALUE}) {
            refused(FrameEdit.withLong(field.frame(), field.at(), negative), Status.BAD_REQUEST,
                    field.named() + " must be >= 0");
        }
        Object accepted = Pipe.client(LOOKUP).feed(FrameEdit.withLong(field.frame(), field.at(), Long.MAX_VALUE))
                .finishSingle();
        assertInstanceOf(DaxResponse.class, accepted);
    }

    @ParameterizedTest(name = "payload length {0}")
    @ValueSource(ints = {-1, Integer.MIN_VALUE, WireLimits.MAX_BLOCK_PAYLOAD_BYTES + 1, Integer.MAX_VALUE})
    void payloadLengthOutsideTheLimitIsRefused(int length) {
        refused(FrameEdit.withInt(READ, READ_PAYLOAD_LENGTH, length), Status.BAD_REQUEST, "payload length");
    }

    @ParameterizedTest(name = "entry count {0}")
    @ValueSource(ints = {-1, Integer.MIN_VALUE, WireLimits.MAX_SCAN_ENTRIES + 1, Integer.MAX_VALUE})
    void scanEntryCountOutsideTheLimitIsRefused(int count) {
        refused(FrameEdit.withInt(SCAN, SCAN_COUNT, count), Status.BAD_REQUEST, "scan entry count");
    }

    @ParameterizedTest(name = "entry count {0}")
    @ValueSource(ints = {3, WireLimits.MAX_SCAN_ENTRIES})
    void scanEntryCountBeyondTheFrameIsRefusedBeforeReadingEntries(int count) {
        refused(FrameEdit.withInt(SCAN, SCAN_COUNT, count), Status.BAD_REQUEST, "truncated");
    }

    @Test
    void stringLongerThanItsLimitIsRefused() {
        // ERROR: detail at 16, message length at 24; PONG: server id length at 16.
        refused(FrameEdit.withShort(ERROR, 24, WireLimits.MAX_ERROR_MESSAGE_BYTES + 1), Status.BAD_REQUEST,
                "exceeds " + WireLimits.MAX_ERROR_MESSAGE_BYTES);
        refused(FrameEdit.withShort(ERROR, 24, 0xFFFF), Status.BAD_REQUEST, "exceeds");
        refused(FrameEdit.withShort(PONG, 16, WireLimits.MAX_LABEL_BYTES + 1), Status.BAD_REQUEST,
                "exceeds " + WireLimits.MAX_LABEL_BYTES);
    }

    @ParameterizedTest(name = "flag {0}")
    @ValueSource(ints = {2, 0x7F, 0x80, 0xFF})
    void booleanOtherThanZeroOrOneIsRefused(int flag) {
        // Read as "non-zero is true", such a byte would decode to a message that re-encodes differently.
        refused(FrameEdit.withByte(READ, READ_FOUND, flag), Status.BAD_REQUEST, "boolean");
        refused(FrameEdit.withByte(NOT_FOUND, READ_FOUND, flag), Status.BAD_REQUEST, "boolean");
        refused(FrameEdit.withByte(SCAN, SCAN_MORE, flag), Status.BAD_REQUEST, "boolean");
    }

    @Test
    void malformedUtf8IsRefused() {
        // PONG "s"/"z": server id byte at 18. A lone continuation byte, a lead byte without its continuation, an
        // overlong encoding of '/', and an encoded surrogate: Java would decode each to U+FFFD, silently.
        byte[][] malformed = {{(byte) 0x80}, {(byte) 0xC3}, {(byte) 0xC0, (byte) 0xAF},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}};
        for (byte[] bad : malformed) {
            byte[] body = FrameEdit.concat(new byte[] {0, (byte) bad.length}, bad, new byte[] {0, 1, 'z'});
            byte[] frame = FrameEdit.withLengthFixed(FrameEdit.concat(Arrays.copyOf(PONG, 16), body));
            refused(frame, Status.BAD_REQUEST, "UTF-8");
        }
    }

    // ------------------------------------------------------------------------------------------------ checks

    private static void refused(byte[] frame, Status status, String messagePart) {
        refused(frame, LOOKUP, status, messagePart);
    }

    /**
     * Feeds {@code frame} then a valid frame, whole and byte by byte (in small chunks if large): the first must
     * raise a DaxProtocolException with {@code status}, the second must still decode.
     */
    private static void refused(byte[] frame, WireFormat.ReadAddressLookup lookup, Status status,
            String messagePart) {
        byte[] stream = FrameEdit.concat(frame, NEXT);
        Pipe pieces = stream.length <= 256 ? Pipe.client(lookup).feedBytewise(stream)
                : Pipe.client(lookup).feedChunks(stream, 61);
        for (Pipe pipe : List.of(Pipe.client(lookup).feed(stream), pieces)) {
            List<Object> events = pipe.finish();
            assertEquals(2, events.size(), events.toString());
            DecoderException wrapper = assertInstanceOf(DecoderException.class, events.get(0));
            DaxProtocolException cause = assertInstanceOf(DaxProtocolException.class, wrapper.getCause());
            assertEquals(status, cause.status(), cause.getMessage());
            assertTrue(cause.getMessage().contains(messagePart),
                    "message '" + cause.getMessage() + "' should mention '" + messagePart + "'");
            assertEquals(new DaxResponse.Fenced(99, 100), events.get(1));
        }
    }
}
