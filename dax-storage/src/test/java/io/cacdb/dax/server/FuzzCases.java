package io.cacdb.dax.server;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.FrameEdit;
import io.cacdb.dax.wire.Opcode;
import io.cacdb.dax.wire.Samples;
import io.cacdb.dax.wire.Status;
import io.cacdb.dax.wire.WireFormat;
import io.cacdb.dax.wire.WireLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The fuzzer's inputs: one {@link FuzzCase} per connection, made only from the seed and the case number (never from
 * what the server answered), so a seed gives the same bytes on every run.
 *
 * <p>The known set it aims at: volume {@link #VOL} fenced at {@link #VOL_EPOCH} with truncation points in PAGE and
 * LOG, volume {@link #VOL2} unfenced; see {@link LiveServerFuzzTest#writeKnownSet}.
 */
final class FuzzCases {

    static final long VOL = 7;
    static final long VOL2 = 8;
    static final long VOL_EPOCH = 5;
    /** Highest epoch the legitimate traffic fences {@link #VOL2} to, and the epoch it writes VOL2 with. */
    static final long VOL2_EPOCH = 2;
    static final long PAGE_TRUNCATION = 2;
    static final long LOG_TRUNCATION = 8;
    /** Volumes the semantic cases use as unknown (only a mutation that lands exactly on one could create it). */
    static final long UNKNOWN_VOLUME_BASE = 0x5EED_0000_0000L;
    /** Large writes go to PAGE blocks from here on, one address per request id. */
    static final long LARGE_BLOCKS_FROM = 1L << 40;
    /** Largest payload of ordinary fuzzed writes (large ones are rare): several TCP segments, still quick. */
    static final int MAX_FUZZ_PAYLOAD_BYTES = 1500;

    enum Kind { RANDOM_BYTES, RANDOM_FRAMES, MUTATED, SEMANTIC, LEGIT, ABRUPT, PIPELINED }

    /** How the connection ends, after the stream is sent. */
    enum Ending {
        /** Read every answer that must come, half-close, and expect the server to close (bounded waits). */
        ANSWERS_THEN_EOF,
        /** Half-close at once (the stream stops inside a frame) and expect the server to close. */
        HALF_CLOSE,
        /** Close with SO_LINGER 0: a reset, whatever the server still has to say. */
        RESET,
        /** Close without reading any answer. */
        CLOSE_UNREAD
    }

    /** One frame the generator built on purpose, with what its answer must satisfy (or null). */
    record Part(byte[] bytes, FuzzModel.Expect expect) {
    }

    /**
     * One connection's input. {@code expects} maps a frame's start offset in {@code stream} to the check of its
     * answer; {@code sendBytes} is how much of the stream is sent (less than all for cuts); {@code chunkEnds} where
     * the sends are split.
     */
    record FuzzCase(int number, Kind kind, byte[] stream, int sendBytes, Ending ending,
            Map<Integer, FuzzModel.Expect> expects, int[] chunkEnds) {
    }

    private final Map<BlockAddress, Block> known;
    private final List<Block> knownBlocks;
    private final List<BlockAddress> truncated;
    private final List<byte[]> sampleFrames;

    FuzzCases(Map<BlockAddress, Block> known, List<BlockAddress> truncated) {
        this.known = known;
        this.knownBlocks = List.copyOf(known.values());
        this.truncated = List.copyOf(truncated);
        this.sampleFrames = Samples.requests().stream().map(c -> Samples.encode(c.sent())).toList();
    }

    FuzzCase generate(long seed, int number) {
        Random r = new Random(seed ^ (0x9E3779B97F4A7C15L * (number + 1)));
        int pick = r.nextInt(100);
        Kind kind = pick < 10 ? Kind.RANDOM_BYTES : pick < 20 ? Kind.RANDOM_FRAMES : pick < 55 ? Kind.MUTATED
                : pick < 75 ? Kind.SEMANTIC : pick < 85 ? Kind.LEGIT : pick < 93 ? Kind.ABRUPT : Kind.PIPELINED;
        Ids ids = new Ids(number);
        List<Part> parts = new ArrayList<>();
        Ending ending = Ending.ANSWERS_THEN_EOF;
        switch (kind) {
            case RANDOM_BYTES -> parts.add(new Part(randomBytes(r, 1 + r.nextInt(256)), null));
            case RANDOM_FRAMES -> {
                for (int n = 1 + r.nextInt(5); n > 0; n--) {
                    parts.add(new Part(randomFrame(r), null));
                }
            }
            case MUTATED -> {
                List<byte[]> picked = new ArrayList<>();
                for (int n = 1 + r.nextInt(3); n > 0; n--) {
                    picked.add(template(r, ids));
                }
                parts.add(new Part(FrameEdit.mutate(Samples.concat(picked), r), null));
            }
            case SEMANTIC -> {
                int n = 1 + r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    parts.add(semantic(r, ids, i == n - 1));
                }
            }
            case LEGIT -> {
                for (int n = 1 + r.nextInt(8); n > 0; n--) {
                    parts.add(new Part(encode(legit(r, ids.next())), null));
                }
            }
            case ABRUPT -> {
                for (int n = 1 + r.nextInt(4); n > 0; n--) {
                    parts.add(r.nextBoolean() ? new Part(template(r, ids), null) : semantic(r, ids, false));
                }
                if (r.nextInt(10) == 0) {
                    // cut inside a large frame: the server has buffered part of it when the connection ends
                    parts.add(new Part(encode(largeWrite(r, ids.next())), null));
                }
                ending = r.nextBoolean() ? Ending.HALF_CLOSE : Ending.RESET;
            }
            case PIPELINED -> {
                for (int n = 20 + r.nextInt(180); n > 0; n--) {
                    byte[] frame = template(r, ids);
                    if (r.nextInt(8) == 0) {
                        // a body-level mutation: the length is fixed so that the frames after it still frame
                        byte[] mutated = FrameEdit.mutate(frame, r);
                        frame = mutated.length >= 4 + WireLimits.HEADER_BYTES ? FrameEdit.withLengthFixed(mutated)
                                : mutated;
                    }
                    parts.add(new Part(frame, null));
                }
                ending = r.nextBoolean() ? Ending.CLOSE_UNREAD : Ending.RESET;
            }
        }
        List<byte[]> bytes = new ArrayList<>();
        Map<Integer, FuzzModel.Expect> expects = new java.util.HashMap<>();
        int at = 0;
        for (Part p : parts) {
            if (p.expect() != null) {
                expects.put(at, p.expect());
            }
            bytes.add(p.bytes());
            at += p.bytes().length;
        }
        byte[] stream = Samples.concat(bytes);
        int sendBytes = stream.length;
        if (kind == Kind.ABRUPT) {
            // stop inside the last frame: at least one of its bytes sent, at least one missing
            int lastLength = parts.get(parts.size() - 1).bytes().length;
            sendBytes = stream.length - lastLength + 1 + r.nextInt(Math.max(1, lastLength - 1));
            sendBytes = Math.min(sendBytes, stream.length - 1);
        }
        return new FuzzCase(number, kind, stream, sendBytes, ending, expects, chunkEnds(r, sendBytes));
    }

    /** Where to split the sends: usually once, sometimes in a few pieces, so frames cross TCP segments. */
    private static int[] chunkEnds(Random r, int length) {
        int pieces = r.nextInt(4) == 0 ? 2 + r.nextInt(4) : 1;
        int[] ends = new int[pieces];
        for (int i = 0; i < pieces - 1; i++) {
            ends[i] = length == 0 ? 0 : r.nextInt(length);
        }
        ends[pieces - 1] = length;
        java.util.Arrays.sort(ends);
        return ends;
    }

    /** Request ids unique within the case (a mutation may still change them). */
    private static final class Ids {
        private long next;

        Ids(int caseNumber) {
            next = (caseNumber + 1L) * 1_000_000L;
        }

        long next() {
            return next++;
        }
    }

    // ------------------------------------------------------------------------------------------------ frames

    static byte[] encode(DaxRequest request) {
        ByteBuf buf = Unpooled.buffer();
        try {
            WireFormat.encodeRequest(request, buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    private static byte[] randomBytes(Random r, int length) {
        byte[] b = new byte[length];
        r.nextBytes(b);
        return b;
    }

    /** A frame whose length field fits, with a mostly right version, any opcode and a random body. */
    private static byte[] randomFrame(Random r) {
        byte[] body = randomBytes(r, r.nextInt(80));
        byte version = r.nextInt(10) == 0 ? (byte) r.nextInt(256) : WireLimits.PROTOCOL_VERSION;
        byte opcode = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : (byte) r.nextInt(9);
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeInt(WireLimits.HEADER_BYTES + body.length).writeByte(version).writeByte(opcode)
                    .writeLong(r.nextLong()).writeBytes(body);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /** A valid frame to mutate or pipeline: legitimate traffic, or one of the codec's sample requests. */
    private byte[] template(Random r, Ids ids) {
        if (r.nextInt(10) < 3) {
            return sampleFrames.get(r.nextInt(sampleFrames.size()));
        }
        return encode(legit(r, ids.next()));
    }

    /** What a well-behaved client of the known volumes might send. */
    DaxRequest legit(Random r, long id) {
        return switch (r.nextInt(10)) {
            case 0, 1, 2, 3 -> legitWrite(r, id);
            case 4 -> new DaxRequest.Read(id, anyAddress(r));
            case 5 -> new DaxRequest.Scan(id, r.nextBoolean() ? VOL : VOL2, space(r), r.nextInt(20),
                    r.nextBoolean() ? Long.MAX_VALUE : 20 + r.nextInt(200), 1 + r.nextInt(100));
            case 6 -> new DaxRequest.Ping(id);
            // Fences and truncations only on VOL2: these frames are mutated too, and a flipped epoch or block
            // number would depose every later writer of VOL or truncate it away, leaving little to fuzz.
            case 7 -> new DaxRequest.Fence(id, VOL2, r.nextInt((int) VOL2_EPOCH + 1));
            case 8 -> new DaxRequest.DeleteBelow(id, VOL2_EPOCH, VOL2, r.nextBoolean() ? Space.LOG : Space.PAGE,
                    r.nextInt(2));
            default -> new DaxRequest.CreateVolume(id, r.nextBoolean() ? VOL : VOL2);
        };
    }

    /** A new, higher version of a known block, or a new block, with the volume's current epoch. */
    private DaxRequest.Write legitWrite(Random r, long id) {
        BlockAddress a;
        if (r.nextInt(10) < 7) {
            a = knownBlocks.get(r.nextInt(knownBlocks.size())).address();
        } else {
            a = switch (r.nextInt(3)) {
                case 0 -> BlockAddress.page(VOL, 100 + r.nextInt(32));
                case 1 -> BlockAddress.log(VOL, 16 + r.nextInt(16));
                default -> BlockAddress.page(VOL2, 5 + r.nextInt(10));
            };
        }
        long epoch = a.volume() == VOL ? VOL_EPOCH : VOL2_EPOCH;
        long minor = 1_000_000 + r.nextInt(1_000_000);
        Version v = a.space() == Space.LOG ? Version.ofLogBlock(epoch, minor) : new Version(0, minor);
        return new DaxRequest.Write(id, epoch, Block.of(a, v, randomBytes(r, r.nextInt(MAX_FUZZ_PAYLOAD_BYTES))));
    }

    /**
     * A valid write of up to {@link WireLimits#MAX_BLOCK_PAYLOAD_BYTES} to an address of its own (the id makes it
     * unique), so it is always APPLIED.
     */
    private static DaxRequest.Write largeWrite(Random r, long id) {
        int length = WireLimits.MAX_BLOCK_PAYLOAD_BYTES - (r.nextBoolean() ? 0 : r.nextInt(WireLimits.MAX_BLOCK_PAYLOAD_BYTES));
        Block b = Block.of(BlockAddress.page(VOL, LARGE_BLOCKS_FROM + id), Version.ofPage(1), randomBytes(r, length));
        return new DaxRequest.Write(id, VOL_EPOCH, b);
    }

    private BlockAddress anyAddress(Random r) {
        int pick = r.nextInt(10);
        if (pick < 6) {
            return knownBlocks.get(r.nextInt(knownBlocks.size())).address();
        }
        if (pick < 8) {
            return truncated.get(r.nextInt(truncated.size()));
        }
        return new BlockAddress(r.nextBoolean() ? VOL : VOL2, space(r), r.nextInt(200));
    }

    private static Space space(Random r) {
        return Space.values()[r.nextInt(Space.values().length)];
    }

    // ------------------------------------------------------------------------------------------------ semantics

    /**
     * A frame that is well-formed but wrong in meaning, or malformed in one precise way, with what the server must
     * answer. Frames after which the server closes the connection are only made when {@code last}.
     */
    private Part semantic(Random r, Ids ids, boolean last) {
        long id = ids.next();
        if (r.nextInt(40) == 0) {
            // a valid write near the payload limit, spread over many TCP segments
            return new Part(encode(largeWrite(r, id)), (resp, m) -> resp instanceof DaxResponse.WriteAck a
                    && a.outcome() == DaxResponse.WriteOutcome.APPLIED ? null : "expected APPLIED");
        }
        int choices = last ? 19 : 16;
        Block k = knownBlocks.get(r.nextInt(knownBlocks.size()));
        return switch (r.nextInt(choices)) {
            case 0 -> { // wrong crc: nothing may be stored
                Block b = Block.of(writable(r), new Version(0, 5_000_000 + r.nextInt(1000)), randomBytes(r, 1 + r.nextInt(64)));
                Block bad = new Block(b.address(), b.version(), b.crc32c() ^ (1 << r.nextInt(32)), b.payload());
                yield new Part(encode(new DaxRequest.Write(id, Long.MAX_VALUE, bad)), error(Status.CHECKSUM_MISMATCH));
            }
            case 1 -> { // a deposed writer
                Block b = Block.of(BlockAddress.page(VOL, 200 + r.nextInt(50)), new Version(0, 6_000_000 + r.nextInt(1000)), randomBytes(r, 16));
                yield new Part(encode(new DaxRequest.Write(id, r.nextInt((int) VOL_EPOCH), b)), stale());
            }
            case 2 -> new Part(encode(new DaxRequest.DeleteBelow(id, r.nextInt((int) VOL_EPOCH), VOL, Space.LOG,
                    LOG_TRUNCATION + 1 + r.nextInt(10))), stale());
            case 3 -> unknownVolume(r, id);
            case 4 -> { // below the truncation point
                BlockAddress a = truncated.get(r.nextInt(truncated.size()));
                Block b = Block.of(a, new Version(VOL_EPOCH, 7_000_000 + r.nextInt(1000)), randomBytes(r, 32));
                long point = a.space() == Space.LOG ? LOG_TRUNCATION : PAGE_TRUNCATION;
                yield new Part(encode(new DaxRequest.Write(id, Long.MAX_VALUE, b)), (resp, m) ->
                        resp instanceof DaxResponse.Error e && e.status() == Status.BELOW_TRUNCATION
                                && e.detail() >= point ? null : "expected BELOW_TRUNCATION with detail >= " + point);
            }
            case 5 -> { // a READ below the truncation point finds nothing
                BlockAddress a = truncated.get(r.nextInt(truncated.size()));
                yield new Part(encode(new DaxRequest.Read(id, a)), (resp, m) ->
                        resp instanceof DaxResponse.ReadResult rr && !rr.found() ? null : "expected not found");
            }
            case 6 -> { // a lower version of a known block
                Version lower = lower(k.version());
                Block b = Block.of(k.address(), lower, randomBytes(r, 8));
                yield new Part(encode(new DaxRequest.Write(id, Long.MAX_VALUE, b)), superseded(k));
            }
            case 7 -> { // the same version of a known block with other bytes
                byte[] other = java.util.Arrays.copyOf(k.payload(), k.payload().length + 1);
                other[other.length - 1] = (byte) r.nextInt(256);
                Block b = Block.of(k.address(), k.version(), other);
                yield new Part(encode(new DaxRequest.Write(id, Long.MAX_VALUE, b)), (resp, m) -> {
                    if (resp instanceof DaxResponse.Error e && e.status() == Status.VERSION_CONFLICT) {
                        return null;
                    }
                    return supersededOrTruncated(resp, m, k);
                });
            }
            case 8 -> new Part(encode(new DaxRequest.Fence(id, VOL, r.nextInt((int) VOL_EPOCH))), (resp, m) ->
                    resp instanceof DaxResponse.Fenced f && f.currentEpoch() >= VOL_EPOCH ? null
                            : "a lower FENCE must answer the current epoch >= " + VOL_EPOCH);
            case 9 -> new Part(encode(new DaxRequest.DeleteBelow(id, Long.MAX_VALUE, VOL, Space.LOG,
                    r.nextInt((int) LOG_TRUNCATION))), (resp, m) ->
                    resp instanceof DaxResponse.Deleted d && d.truncatedBelow() >= LOG_TRUNCATION ? null
                            : "a lower DELETE_BELOW must answer the current point >= " + LOG_TRUNCATION);
            case 10 -> new Part(encode(new DaxRequest.Read(id, k.address())), (resp, m) -> {
                if (resp instanceof DaxResponse.ReadResult rr && rr.found()) {
                    return rr.block().version().isAtLeast(k.version()) ? null : "read went below the known version";
                }
                if (resp instanceof DaxResponse.ReadResult && m.truncationMayCover(k.address())) {
                    return null;
                }
                return "a known block must read back";
            });
            case 11 -> { // unknown opcode: answered, connection stays open
                int opcode = r.nextBoolean() ? 0 : 8 + r.nextInt(0x78);
                byte[] f = FrameEdit.withByte(encode(legit(r, id)), FrameEdit.OPCODE_AT, opcode);
                yield new Part(f, error(Status.UNKNOWN_OPCODE));
            }
            case 12 -> { // a payload length over the limit, in a frame that is otherwise fine
                Block b = Block.of(writable(r), new Version(0, 8_000_000), randomBytes(r, 8));
                byte[] f = encode(new DaxRequest.Write(id, VOL_EPOCH, b));
                int payloadLengthAt = FrameEdit.BODY_AT + 8 + 17 + 16 + 4;
                int length = r.nextBoolean() ? WireLimits.MAX_BLOCK_PAYLOAD_BYTES + 1 : -1 - r.nextInt(1000);
                yield new Part(FrameEdit.withInt(f, payloadLengthAt, length), error(Status.BAD_REQUEST));
            }
            case 13 -> { // a negative volume, block number or version field
                Block b = Block.of(writable(r), new Version(0, 8_000_001), randomBytes(r, 8));
                byte[] f = encode(new DaxRequest.Write(id, VOL_EPOCH, b));
                int[] longFields = {FrameEdit.BODY_AT, FrameEdit.BODY_AT + 8, FrameEdit.BODY_AT + 17,
                        FrameEdit.BODY_AT + 25, FrameEdit.BODY_AT + 33};
                int at = longFields[r.nextInt(longFields.length)];
                yield new Part(FrameEdit.withLong(f, at, Long.MIN_VALUE + r.nextInt(1000)),
                        error(Status.BAD_REQUEST));
            }
            case 14 -> { // scan limits, unknown space code, trailing bytes
                byte[] f = switch (r.nextInt(3)) {
                    case 0 -> FrameEdit.withInt(encode(new DaxRequest.Scan(id, VOL, Space.PAGE, 0, 100, 1)),
                            FrameEdit.BODY_AT + 25, r.nextBoolean() ? 0 : WireLimits.MAX_SCAN_ENTRIES + 1);
                    case 1 -> FrameEdit.withByte(encode(new DaxRequest.Read(id, k.address())), FrameEdit.BODY_AT + 8,
                            r.nextBoolean() ? 0 : 4 + r.nextInt(100));
                    default -> FrameEdit.append(encode(legit(r, id)), (byte) r.nextInt(256));
                };
                yield new Part(f, error(Status.BAD_REQUEST));
            }
            case 15 -> new Part(encode(new DaxRequest.Ping(id)), (resp, m) ->
                    resp instanceof DaxResponse.Pong ? null : "expected PONG");
            case 16 -> { // unknown protocol version: answered, then closed
                int version = 2 + r.nextInt(254);
                yield new Part(FrameEdit.withByte(encode(legit(r, id)), FrameEdit.VERSION_AT, version),
                        error(Status.UNSUPPORTED_VERSION));
            }
            case 17 -> { // oversized length field: answered with request id 0, then closed
                long length = switch (r.nextInt(3)) {
                    case 0 -> WireLimits.MAX_FRAME_BYTES + 1L;
                    case 1 -> 0xFFFF_FFFFL;
                    default -> WireLimits.MAX_FRAME_BYTES + 2L + r.nextInt(Integer.MAX_VALUE);
                };
                yield new Part(FrameEdit.lengthField(length), error(Status.FRAME_TOO_LARGE));
            }
            default -> new Part(FrameEdit.lengthField(r.nextInt(WireLimits.HEADER_BYTES)), error(Status.BAD_REQUEST));
        };
    }

    /** A writable address of a known volume (not below an initial truncation point). */
    private BlockAddress writable(Random r) {
        return r.nextBoolean() ? knownBlocks.get(r.nextInt(knownBlocks.size())).address()
                : BlockAddress.page(VOL, 200 + r.nextInt(50));
    }

    private Part unknownVolume(Random r, long id) {
        long vol = UNKNOWN_VOLUME_BASE + r.nextInt(1000);
        DaxRequest req = switch (r.nextInt(5)) {
            case 0 -> new DaxRequest.Write(id, Long.MAX_VALUE, Block.of(BlockAddress.page(vol, 1), Version.ofPage(1),
                    randomBytes(r, 4)));
            case 1 -> new DaxRequest.Read(id, BlockAddress.log(vol, 3));
            case 2 -> new DaxRequest.Fence(id, vol, 1 + r.nextInt(9));
            case 3 -> new DaxRequest.DeleteBelow(id, Long.MAX_VALUE, vol, Space.LOG, 1);
            default -> new DaxRequest.Scan(id, vol, Space.META, 0, 10, 10);
        };
        return new Part(encode(req), (resp, m) ->
                resp instanceof DaxResponse.Error e && e.status() == Status.UNKNOWN_VOLUME || m.volumeMayExist(vol)
                        ? null : "expected UNKNOWN_VOLUME for volume " + vol);
    }

    private static Version lower(Version v) {
        if (v.minor() > 0) {
            return new Version(v.major(), v.minor() - 1);
        }
        return v.major() > 0 ? new Version(v.major() - 1, Long.MAX_VALUE) : v;
    }

    private static FuzzModel.Expect superseded(Block k) {
        return (resp, m) -> k.version().equals(lower(k.version()))
                ? null // version (0,0) has no lower version; the case degenerates to a rewrite
                : supersededOrTruncated(resp, m, k);
    }

    /** SUPERSEDED by a version at least the known one, or refused below a truncation point a request asked for. */
    private static String supersededOrTruncated(DaxResponse resp, FuzzModel m, Block k) {
        if (resp instanceof DaxResponse.WriteAck a && a.outcome() == DaxResponse.WriteOutcome.SUPERSEDED
                && a.storedVersion().compareTo(k.version()) >= 0) {
            return null;
        }
        if (resp instanceof DaxResponse.Error e && e.status() == Status.BELOW_TRUNCATION
                && m.truncationMayCover(k.address())) {
            return null;
        }
        return "expected SUPERSEDED by a version >= " + k.version() + " of " + k.address();
    }

    private static FuzzModel.Expect stale() {
        return (resp, m) -> resp instanceof DaxResponse.Error e && e.status() == Status.STALE_EPOCH
                && e.detail() >= VOL_EPOCH ? null : "expected STALE_EPOCH with detail >= " + VOL_EPOCH;
    }

    private static FuzzModel.Expect error(Status status) {
        return (resp, m) -> resp instanceof DaxResponse.Error e && e.status() == status ? null : "expected " + status;
    }

    /** The opcode a response answers, with the response bit (errors carry the request's raw opcode). */
    static int answeredOpcode(DaxResponse r) {
        return (r instanceof DaxResponse.Error e ? e.rawOpcode() : r.opcode().code()) | Opcode.RESPONSE_BIT;
    }
}
