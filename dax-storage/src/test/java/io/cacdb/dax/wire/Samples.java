package io.cacdb.dax.wire;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Messages of every type with boundary values, and encoding through the real encoder handlers. A {@link Case}
 * pairs what is sent with what the peer must decode: they differ only where the format cuts (long strings).
 * Public for the live-server fuzz test in {@code io.cacdb.dax.server}.
 */
public final class Samples {

    private Samples() {
    }

    public record Case<T>(String name, T sent, T decoded) {
        static <T> Case<T> of(String name, T message) {
            return new Case<>(name, message, message);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final long MAX = Long.MAX_VALUE;

    /** Deterministic payload bytes, so a failure shows the same bytes every run. */
    public static byte[] payload(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static final Block EMPTY_PAGE = Block.of(BlockAddress.page(0, 0), Version.ZERO, new byte[0]);
    static final Block LOG_BLOCK = Block.of(BlockAddress.log(17, 4242), Version.ofLogBlock(3, 8192),
            payload(1000, 1));
    static final Block MAX_ADDRESS_META = Block.of(new BlockAddress(MAX, Space.META, MAX), new Version(MAX, MAX),
            payload(33, 2));
    /** A checksum that does not match: the codec carries it as is (the server checks it, not the decoder). */
    static final Block WRONG_CRC = new Block(BlockAddress.page(5, 6), Version.ofPage(7), 0xDEADBEEF, payload(8, 3));

    public static List<Case<DaxRequest>> requests() {
        List<Case<DaxRequest>> c = new ArrayList<>();
        c.add(Case.of("ping id 0", new DaxRequest.Ping(0)));
        c.add(Case.of("ping id max", new DaxRequest.Ping(MAX)));
        c.add(Case.of("ping id min (ids are opaque)", new DaxRequest.Ping(Long.MIN_VALUE)));
        c.add(Case.of("ping id -1", new DaxRequest.Ping(-1)));
        c.add(Case.of("create volume 0", new DaxRequest.CreateVolume(1, 0)));
        c.add(Case.of("create volume max", new DaxRequest.CreateVolume(MAX, MAX)));
        c.add(Case.of("write empty page", new DaxRequest.Write(2, 0, EMPTY_PAGE)));
        c.add(Case.of("write log block", new DaxRequest.Write(3, 3, LOG_BLOCK)));
        c.add(Case.of("write max address and version", new DaxRequest.Write(MAX, MAX, MAX_ADDRESS_META)));
        c.add(Case.of("write wrong crc", new DaxRequest.Write(4, 1, WRONG_CRC)));
        for (Space space : Space.values()) {
            c.add(Case.of("read " + space, new DaxRequest.Read(10 + space.code(), new BlockAddress(9, space, 99))));
        }
        c.add(Case.of("read max address", new DaxRequest.Read(MAX, new BlockAddress(MAX, Space.LOG, MAX))));
        c.add(Case.of("fence zero", new DaxRequest.Fence(20, 0, 0)));
        c.add(Case.of("fence max", new DaxRequest.Fence(MAX, MAX, MAX)));
        for (Space space : Space.values()) {
            c.add(Case.of("delete below " + space, new DaxRequest.DeleteBelow(30 + space.code(), 2, 9, space, 1000)));
        }
        c.add(Case.of("delete below max", new DaxRequest.DeleteBelow(MAX, MAX, MAX, Space.LOG, MAX)));
        c.add(Case.of("scan one entry", new DaxRequest.Scan(40, 1, Space.PAGE, 0, 100, 1)));
        c.add(Case.of("scan max entries", new DaxRequest.Scan(41, MAX, Space.META, 0, MAX, WireLimits.MAX_SCAN_ENTRIES)));
        c.add(Case.of("scan from above to", new DaxRequest.Scan(42, 3, Space.LOG, MAX, 0, 17)));
        return c;
    }

    /**
     * One response of each layout: {@link #responses()} without the errors that differ from the first only in
     * their status or opcode. For tests that cut or extend every sample, where those would repeat the same bytes.
     */
    static List<Case<DaxResponse>> responseLayouts() {
        List<Case<DaxResponse>> layouts = new ArrayList<>();
        boolean statusErrorSeen = false;
        boolean opcodeErrorSeen = false;
        for (Case<DaxResponse> c : responses()) {
            if (c.name().matches("error [A-Z_]+")) {
                if (statusErrorSeen) {
                    continue;
                }
                statusErrorSeen = true;
            } else if (c.name().matches("error for [A-Z_]+")) {
                if (opcodeErrorSeen) {
                    continue;
                }
                opcodeErrorSeen = true;
            }
            layouts.add(c);
        }
        return layouts;
    }

    /** Requests whose frames are too big to feed byte by byte or split at every offset. */
    static List<Case<DaxRequest>> largeRequests() {
        Block max = Block.of(BlockAddress.page(1, 2), Version.ofPage(3),
                payload(WireLimits.MAX_BLOCK_PAYLOAD_BYTES, 4));
        return List.of(Case.of("write max payload", new DaxRequest.Write(50, 1, max)));
    }

    static final String NON_ASCII = "dax-β-東京-\uD83D\uDE42-zöne";

    static List<Case<DaxResponse>> responses() {
        List<Case<DaxResponse>> c = new ArrayList<>();
        c.add(Case.of("pong", new DaxResponse.Pong(1, "dax-1", "zone-a")));
        c.add(Case.of("pong empty labels", new DaxResponse.Pong(MAX, "", "")));
        c.add(Case.of("pong non-ascii labels", new DaxResponse.Pong(2, NON_ASCII, "ゾーン-ä")));
        String label255 = "x".repeat(WireLimits.MAX_LABEL_BYTES);
        c.add(Case.of("pong labels at the limit", new DaxResponse.Pong(3, label255, label255)));
        String longLabel = "é".repeat(200); // 400 bytes: the 255-byte cut falls inside a character
        c.add(new Case<>("pong labels over the limit are cut at a character boundary",
                new DaxResponse.Pong(4, longLabel, "z" + longLabel),
                new DaxResponse.Pong(4, utf8Prefix(longLabel, WireLimits.MAX_LABEL_BYTES),
                        utf8Prefix("z" + longLabel, WireLimits.MAX_LABEL_BYTES))));
        c.add(Case.of("volume created", new DaxResponse.VolumeCreated(5)));
        c.add(Case.of("volume created id min", new DaxResponse.VolumeCreated(Long.MIN_VALUE)));
        for (DaxResponse.WriteOutcome outcome : DaxResponse.WriteOutcome.values()) {
            c.add(Case.of("write ack " + outcome, new DaxResponse.WriteAck(6 + outcome.ordinal(), outcome,
                    Version.ofLogBlock(2, 77))));
        }
        c.add(Case.of("write ack zero version", new DaxResponse.WriteAck(10, DaxResponse.WriteOutcome.APPLIED,
                Version.ZERO)));
        c.add(Case.of("write ack max version", new DaxResponse.WriteAck(MAX, DaxResponse.WriteOutcome.SUPERSEDED,
                new Version(MAX, MAX))));
        c.add(Case.of("read not found", new DaxResponse.ReadResult(11, null)));
        c.add(Case.of("read empty payload", new DaxResponse.ReadResult(12, EMPTY_PAGE)));
        c.add(Case.of("read log block", new DaxResponse.ReadResult(13, LOG_BLOCK)));
        c.add(Case.of("read max address", new DaxResponse.ReadResult(14, MAX_ADDRESS_META)));
        c.add(Case.of("read wrong crc", new DaxResponse.ReadResult(15, WRONG_CRC)));
        c.add(Case.of("fenced zero", new DaxResponse.Fenced(16, 0)));
        c.add(Case.of("fenced max", new DaxResponse.Fenced(MAX - 1, MAX)));
        c.add(Case.of("deleted zero", new DaxResponse.Deleted(17, 0)));
        c.add(Case.of("deleted max", new DaxResponse.Deleted(MAX - 2, MAX)));
        c.add(Case.of("scan empty", new DaxResponse.ScanResult(18, List.of(), false, 0)));
        c.add(Case.of("scan empty with more", new DaxResponse.ScanResult(19, List.of(), true, MAX)));
        c.add(Case.of("scan three", new DaxResponse.ScanResult(20, List.of(
                new BlockSummary(0, Version.ZERO, 0),
                new BlockSummary(5, Version.ofPage(9), -1),
                new BlockSummary(MAX, new Version(MAX, MAX), Integer.MIN_VALUE)), true, 6)));
        for (Status status : Status.values()) {
            if (status != Status.OK) {
                c.add(Case.of("error " + status, new DaxResponse.Error(100 + status.code(), Opcode.WRITE,
                        Opcode.WRITE.code(), status, status.code() * 1000L, "failed: " + status)));
            }
        }
        for (Opcode opcode : Opcode.values()) {
            c.add(Case.of("error for " + opcode, new DaxResponse.Error(200 + opcode.code(), opcode, opcode.code(),
                    Status.INTERNAL_ERROR, 0, opcode.name())));
        }
        c.add(Case.of("error for an unknown opcode", new DaxResponse.Error(300, null, (byte) 0x7F,
                Status.UNKNOWN_OPCODE, 0, "unknown opcode 0x7f")));
        c.add(Case.of("error details min and max", new DaxResponse.Error(301, Opcode.FENCE, Opcode.FENCE.code(),
                Status.STALE_EPOCH, Long.MIN_VALUE, "")));
        c.add(Case.of("error detail max", new DaxResponse.Error(302, Opcode.WRITE, Opcode.WRITE.code(),
                Status.BELOW_TRUNCATION, MAX, NON_ASCII)));
        String atLimit = "m".repeat(WireLimits.MAX_ERROR_MESSAGE_BYTES);
        c.add(Case.of("error message at the limit", new DaxResponse.Error(303, Opcode.READ, Opcode.READ.code(),
                Status.CORRUPT_BLOCK, 0, atLimit)));
        // Over the limit: cut to the limit, and never inside a character (the cut would decode as U+FFFD).
        String[] longMessages = {
            "e".repeat(5000),
            "a" + "é".repeat(600),
            "\uD83D\uDE42".repeat(300),
            "a" + "\uD83D\uDE42".repeat(300),
            "ab" + "\uD83D\uDE42".repeat(300),
            "abc" + "\uD83D\uDE42".repeat(300),
            "a" + "東".repeat(400),
        };
        for (int i = 0; i < longMessages.length; i++) {
            String m = longMessages[i];
            c.add(new Case<>("error message over the limit #" + i,
                    new DaxResponse.Error(310 + i, Opcode.WRITE, Opcode.WRITE.code(), Status.VERSION_CONFLICT, 1, m),
                    new DaxResponse.Error(310 + i, Opcode.WRITE, Opcode.WRITE.code(), Status.VERSION_CONFLICT, 1,
                            utf8Prefix(m, WireLimits.MAX_ERROR_MESSAGE_BYTES))));
        }
        return c;
    }

    static List<Case<DaxResponse>> largeResponses() {
        Block max = Block.of(BlockAddress.log(1, 2), Version.ofLogBlock(1, WireLimits.MAX_BLOCK_PAYLOAD_BYTES),
                payload(WireLimits.MAX_BLOCK_PAYLOAD_BYTES, 5));
        List<BlockSummary> entries = new ArrayList<>();
        Random random = new Random(6);
        for (int i = 0; i < WireLimits.MAX_SCAN_ENTRIES; i++) {
            entries.add(new BlockSummary(i * 3L, new Version(random.nextLong(0, MAX), random.nextLong(0, MAX)),
                    random.nextInt()));
        }
        return List.of(
                Case.of("read max payload", new DaxResponse.ReadResult(400, max)),
                Case.of("scan max entries", new DaxResponse.ScanResult(401, entries, true, MAX)));
    }

    /** Where every READ response among {@code cases} was sent from: what the client keeps for pending READs. */
    static WireFormat.ReadAddressLookup readAddresses(List<Case<DaxResponse>> cases) {
        Map<Long, BlockAddress> pending = new HashMap<>();
        for (Case<DaxResponse> c : cases) {
            if (c.sent() instanceof DaxResponse.ReadResult r && r.found()) {
                BlockAddress previous = pending.put(r.requestId(), r.block().address());
                if (previous != null && !previous.equals(r.block().address())) {
                    throw new IllegalStateException("two READ samples share request id " + r.requestId());
                }
            }
        }
        return pending::get;
    }

    /** The longest prefix of {@code s}, in whole code points, whose UTF-8 encoding fits in {@code maxBytes}. */
    static String utf8Prefix(String s, int maxBytes) {
        int end = 0;
        int bytes = 0;
        while (end < s.length()) {
            int cp = s.codePointAt(end);
            int cpBytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + cpBytes > maxBytes) {
                break;
            }
            bytes += cpBytes;
            end += Character.charCount(cp);
        }
        return s.substring(0, end);
    }

    // ------------------------------------------------------------------------------------------------ encoding

    /** Encodes through {@link RequestEncoder} on a channel, as the client does, and returns the frame's bytes. */
    public static byte[] encode(DaxRequest request) {
        return encodeOn(new EmbeddedChannel(new RequestEncoder()), request);
    }

    /** Encodes through {@link ResponseEncoder} on a channel, as the server does, and returns the frame's bytes. */
    static byte[] encode(DaxResponse response) {
        return encodeOn(new EmbeddedChannel(new ResponseEncoder()), response);
    }

    private static byte[] encodeOn(EmbeddedChannel channel, Object message) {
        channel.writeOutbound(message);
        ByteBuf frame = channel.readOutbound();
        try {
            byte[] bytes = new byte[frame.readableBytes()];
            frame.readBytes(bytes);
            return bytes;
        } finally {
            frame.release();
            channel.finishAndReleaseAll();
        }
    }

    public static byte[] concat(List<byte[]> parts) {
        int total = parts.stream().mapToInt(p -> p.length).sum();
        byte[] all = new byte[total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
