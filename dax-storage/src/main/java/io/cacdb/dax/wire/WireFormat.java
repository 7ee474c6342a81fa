package io.cacdb.dax.wire;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.netty.buffer.ByteBuf;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encoding and decoding of DAX frames (layout in {@code docs/dax-protocol.md}). All integers are big-endian.
 *
 * <pre>
 * frame    = length:u32  version:u8  opcode:u8  requestId:u64  body
 * response = opcode | 0x80, body = status:u16 (OK: op-specific | error: detail:u64 msgLen:u16 msg)
 * </pre>
 *
 * <p>Decoding takes a frame without its length field (as {@link DaxFrameDecoder} emits it), validates every field
 * before allocating, and requires the body to be consumed exactly. Encoders write whole frames including the length.
 * Stateless and thread-safe.
 */
public final class WireFormat {

    private static final int LENGTH_FIELD_BYTES = 4;

    private WireFormat() {
    }

    // ---------------------------------------------------------------------------------------------------- requests

    public static void encodeRequest(DaxRequest request, ByteBuf out) {
        int lengthIndex = beginFrame(out, request.opcode().code(), request.requestId());
        switch (request) {
            case DaxRequest.Ping p -> {
            }
            case DaxRequest.CreateVolume c -> out.writeLong(c.volume());
            case DaxRequest.Write w -> {
                out.writeLong(w.writerEpoch());
                writeAddress(out, w.block().address());
                writeBlockBody(out, w.block());
            }
            case DaxRequest.Read r -> writeAddress(out, r.address());
            case DaxRequest.Fence f -> {
                out.writeLong(f.volume());
                out.writeLong(f.epoch());
            }
            case DaxRequest.DeleteBelow d -> {
                out.writeLong(d.writerEpoch());
                out.writeLong(d.volume());
                out.writeByte(d.space().code());
                out.writeLong(d.blockNo());
            }
            case DaxRequest.Scan s -> {
                out.writeLong(s.volume());
                out.writeByte(s.space().code());
                out.writeLong(s.fromBlockNo());
                out.writeLong(s.toBlockNo());
                out.writeInt(s.maxEntries());
            }
        }
        endFrame(out, lengthIndex);
    }

    /**
     * Decodes a request frame (without its length field). Never throws for bad input: every problem becomes a
     * {@link DecodedRequest.Invalid} with the status the server answers.
     */
    public static DecodedRequest decodeRequest(ByteBuf frame) {
        if (frame.readableBytes() < WireLimits.HEADER_BYTES) {
            return new DecodedRequest.Invalid(0, (byte) 0, Status.BAD_REQUEST,
                    "frame of " + frame.readableBytes() + " bytes is shorter than the header", true);
        }
        byte version = frame.readByte();
        byte rawOpcode = frame.readByte();
        long requestId = frame.readLong();
        if (version != WireLimits.PROTOCOL_VERSION) {
            return new DecodedRequest.Invalid(requestId, rawOpcode, Status.UNSUPPORTED_VERSION,
                    "protocol version " + version + " is not supported (this server speaks "
                            + WireLimits.PROTOCOL_VERSION + ")", true);
        }
        Opcode opcode = Opcode.fromCode(rawOpcode);
        if (opcode == null) {
            return new DecodedRequest.Invalid(requestId, rawOpcode, Status.UNKNOWN_OPCODE,
                    "unknown opcode 0x" + Integer.toHexString(rawOpcode & 0xff), false);
        }
        try {
            DaxRequest request = switch (opcode) {
                case PING -> new DaxRequest.Ping(requestId);
                case CREATE_VOLUME -> new DaxRequest.CreateVolume(requestId, readVolume(frame));
                case WRITE -> {
                    long epoch = readNonNegative(frame, "writer epoch");
                    BlockAddress address = readAddress(frame);
                    yield new DaxRequest.Write(requestId, epoch, readBlockBody(frame, address));
                }
                case READ -> new DaxRequest.Read(requestId, readAddress(frame));
                case FENCE -> new DaxRequest.Fence(requestId, readVolume(frame), readNonNegative(frame, "epoch"));
                case DELETE_BELOW -> new DaxRequest.DeleteBelow(requestId, readNonNegative(frame, "writer epoch"),
                        readVolume(frame), readSpace(frame), readNonNegative(frame, "block number"));
                case SCAN -> {
                    long volume = readVolume(frame);
                    Space space = readSpace(frame);
                    long from = readNonNegative(frame, "scan start");
                    long to = readNonNegative(frame, "scan end");
                    int max = need(frame, 4).readInt();
                    if (max < 1 || max > WireLimits.MAX_SCAN_ENTRIES) {
                        throw new DaxProtocolException(Status.BAD_REQUEST,
                                "scan maxEntries must be in 1.." + WireLimits.MAX_SCAN_ENTRIES + ", was " + max);
                    }
                    yield new DaxRequest.Scan(requestId, volume, space, from, to, max);
                }
            };
            requireConsumed(frame);
            return new DecodedRequest.Valid(request);
        } catch (DaxProtocolException e) {
            return new DecodedRequest.Invalid(requestId, rawOpcode, e.status(), opcode + ": " + e.getMessage(), false);
        }
    }

    // --------------------------------------------------------------------------------------------------- responses

    public static void encodeResponse(DaxResponse response, ByteBuf out) {
        byte opcodeByte = response instanceof DaxResponse.Error e
                ? (byte) (e.rawOpcode() | Opcode.RESPONSE_BIT)
                : response.opcode().responseCode();
        int lengthIndex = beginFrame(out, opcodeByte, response.requestId());
        if (response instanceof DaxResponse.Error e) {
            out.writeShort(e.status().code());
            out.writeLong(e.detail());
            writeString(out, e.message(), WireLimits.MAX_ERROR_MESSAGE_BYTES);
            endFrame(out, lengthIndex);
            return;
        }
        out.writeShort(Status.OK.code());
        switch (response) {
            case DaxResponse.Pong p -> {
                writeString(out, p.serverId(), WireLimits.MAX_LABEL_BYTES);
                writeString(out, p.zone(), WireLimits.MAX_LABEL_BYTES);
            }
            case DaxResponse.VolumeCreated v -> {
            }
            case DaxResponse.WriteAck a -> {
                out.writeByte(a.outcome().ordinal());
                writeVersion(out, a.storedVersion());
            }
            case DaxResponse.ReadResult r -> {
                out.writeBoolean(r.found());
                if (r.found()) {
                    writeBlockBody(out, r.block());
                }
            }
            case DaxResponse.Fenced f -> out.writeLong(f.currentEpoch());
            case DaxResponse.Deleted d -> out.writeLong(d.truncatedBelow());
            case DaxResponse.ScanResult s -> {
                if (s.entries().size() > WireLimits.MAX_SCAN_ENTRIES) {
                    throw new IllegalArgumentException("scan result of " + s.entries().size()
                            + " entries exceeds MAX_SCAN_ENTRIES " + WireLimits.MAX_SCAN_ENTRIES);
                }
                out.writeInt(s.entries().size());
                for (BlockSummary e : s.entries()) {
                    out.writeLong(e.blockNo());
                    writeVersion(out, e.version());
                    out.writeInt(e.crc32c());
                }
                out.writeBoolean(s.more());
                out.writeLong(s.nextFromBlockNo());
            }
            case DaxResponse.Error e -> throw new AssertionError("handled above");
        }
        endFrame(out, lengthIndex);
    }

    /**
     * Decodes a response frame (without its length field). A READ response needs the address it answers, which is
     * not on the wire: the caller passes the pending request's address through {@code readAddress}.
     *
     * @throws DaxProtocolException if the frame is malformed; the client then closes the connection
     */
    public static DaxResponse decodeResponse(ByteBuf frame, ReadAddressLookup readAddress) {
        if (frame.readableBytes() < WireLimits.HEADER_BYTES + 2) {
            throw new DaxProtocolException(Status.BAD_REQUEST, "response frame too short: " + frame.readableBytes());
        }
        byte version = frame.readByte();
        byte rawOpcode = frame.readByte();
        long requestId = frame.readLong();
        if (version != WireLimits.PROTOCOL_VERSION) {
            throw new DaxProtocolException(Status.UNSUPPORTED_VERSION, "response with protocol version " + version);
        }
        if ((rawOpcode & Opcode.RESPONSE_BIT) == 0) {
            throw new DaxProtocolException(Status.BAD_REQUEST, "frame without the response bit on the client side");
        }
        byte requestOpcode = (byte) (rawOpcode & ~Opcode.RESPONSE_BIT);
        Opcode opcode = Opcode.fromCode(requestOpcode);
        int statusCode = frame.readUnsignedShort();
        Status status = Status.fromCode(statusCode);
        if (status == null) {
            throw new DaxProtocolException(Status.BAD_REQUEST, "unknown status " + statusCode);
        }
        DaxResponse response;
        if (status != Status.OK) {
            long detail = need(frame, 8).readLong();
            String message = readString(frame, WireLimits.MAX_ERROR_MESSAGE_BYTES);
            response = new DaxResponse.Error(requestId, opcode, requestOpcode, status, detail, message);
        } else {
            if (opcode == null) {
                throw new DaxProtocolException(Status.UNKNOWN_OPCODE, "OK response for unknown opcode " + requestOpcode);
            }
            response = switch (opcode) {
                case PING -> new DaxResponse.Pong(requestId, readString(frame, WireLimits.MAX_LABEL_BYTES),
                        readString(frame, WireLimits.MAX_LABEL_BYTES));
                case CREATE_VOLUME -> new DaxResponse.VolumeCreated(requestId);
                case WRITE -> {
                    DaxResponse.WriteOutcome outcome = DaxResponse.WriteOutcome.fromCode(need(frame, 1).readByte());
                    if (outcome == null) {
                        throw new DaxProtocolException(Status.BAD_REQUEST, "unknown write outcome");
                    }
                    yield new DaxResponse.WriteAck(requestId, outcome, readVersion(frame));
                }
                case READ -> {
                    boolean found = readBoolean(frame, "found flag");
                    if (!found) {
                        yield new DaxResponse.ReadResult(requestId, null);
                    }
                    BlockAddress address = readAddress.addressOf(requestId);
                    if (address == null) {
                        throw new DaxProtocolException(Status.BAD_REQUEST, "READ response for unknown request " + requestId);
                    }
                    yield new DaxResponse.ReadResult(requestId, readBlockBody(frame, address));
                }
                case FENCE -> new DaxResponse.Fenced(requestId, readNonNegative(frame, "epoch"));
                case DELETE_BELOW -> new DaxResponse.Deleted(requestId, readNonNegative(frame, "truncation point"));
                case SCAN -> {
                    int count = need(frame, 4).readInt();
                    if (count < 0 || count > WireLimits.MAX_SCAN_ENTRIES) {
                        throw new DaxProtocolException(Status.BAD_REQUEST, "scan entry count " + count);
                    }
                    need(frame, (long) count * 28);
                    List<BlockSummary> entries = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        long blockNo = readNonNegative(frame, "block number");
                        Version v = readVersion(frame);
                        entries.add(new BlockSummary(blockNo, v, frame.readInt()));
                    }
                    boolean more = readBoolean(frame, "more flag");
                    yield new DaxResponse.ScanResult(requestId, entries, more, readNonNegative(frame, "next block"));
                }
            };
        }
        requireConsumed(frame);
        return response;
    }

    /** Finds the address a pending READ asked for, so a READ response can be decoded into a {@link Block}. */
    @FunctionalInterface
    public interface ReadAddressLookup {
        BlockAddress addressOf(long requestId);
    }

    // ------------------------------------------------------------------------------------------------------ fields

    private static int beginFrame(ByteBuf out, byte opcode, long requestId) {
        int lengthIndex = out.writerIndex();
        out.writeInt(0); // patched by endFrame
        out.writeByte(WireLimits.PROTOCOL_VERSION);
        out.writeByte(opcode);
        out.writeLong(requestId);
        return lengthIndex;
    }

    private static void endFrame(ByteBuf out, int lengthIndex) {
        int length = out.writerIndex() - lengthIndex - LENGTH_FIELD_BYTES;
        if (length > WireLimits.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("frame of " + length + " bytes exceeds MAX_FRAME_BYTES "
                    + WireLimits.MAX_FRAME_BYTES);
        }
        out.setInt(lengthIndex, length);
    }

    private static void writeAddress(ByteBuf out, BlockAddress a) {
        out.writeLong(a.volume());
        out.writeByte(a.space().code());
        out.writeLong(a.blockNo());
    }

    private static BlockAddress readAddress(ByteBuf in) {
        long volume = readVolume(in);
        Space space = readSpace(in);
        return new BlockAddress(volume, space, readNonNegative(in, "block number"));
    }

    private static void writeVersion(ByteBuf out, Version v) {
        out.writeLong(v.major());
        out.writeLong(v.minor());
    }

    private static Version readVersion(ByteBuf in) {
        long major = readNonNegative(in, "version major");
        return new Version(major, readNonNegative(in, "version minor"));
    }

    private static void writeBlockBody(ByteBuf out, Block b) {
        if (b.payload().length > WireLimits.MAX_BLOCK_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("payload of " + b.payload().length + " bytes exceeds "
                    + WireLimits.MAX_BLOCK_PAYLOAD_BYTES);
        }
        writeVersion(out, b.version());
        out.writeInt(b.crc32c());
        out.writeInt(b.payload().length);
        out.writeBytes(b.payload());
    }

    private static Block readBlockBody(ByteBuf in, BlockAddress address) {
        Version version = readVersion(in);
        int crc = need(in, 4).readInt();
        int length = need(in, 4).readInt();
        if (length < 0 || length > WireLimits.MAX_BLOCK_PAYLOAD_BYTES) {
            throw new DaxProtocolException(Status.BAD_REQUEST, "payload length " + length + " outside 0.."
                    + WireLimits.MAX_BLOCK_PAYLOAD_BYTES);
        }
        need(in, length);
        byte[] payload = new byte[length];
        in.readBytes(payload);
        return new Block(address, version, crc, payload);
    }

    private static long readVolume(ByteBuf in) {
        return readNonNegative(in, "volume");
    }

    private static Space readSpace(ByteBuf in) {
        byte code = need(in, 1).readByte();
        Space space = Space.fromCode(code);
        if (space == null) {
            throw new DaxProtocolException(Status.BAD_REQUEST, "unknown space code " + code);
        }
        return space;
    }

    private static long readNonNegative(ByteBuf in, String what) {
        long v = need(in, 8).readLong();
        if (v < 0) {
            throw new DaxProtocolException(Status.BAD_REQUEST, what + " must be >= 0, was " + v);
        }
        return v;
    }

    private static void writeString(ByteBuf out, String s, int maxBytes) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, maxBytes);
        // Cut at a character boundary: dropping a continuation byte (10xxxxxx) would leave a partial character
        // that the peer decodes as U+FFFD, which is not a prefix of the message and can exceed maxBytes again.
        while (length > 0 && length < bytes.length && (bytes[length] & 0xC0) == 0x80) {
            length--;
        }
        out.writeShort(length);
        out.writeBytes(bytes, 0, length);
    }

    private static String readString(ByteBuf in, int maxBytes) {
        int length = need(in, 2).readUnsignedShort();
        if (length > maxBytes) {
            throw new DaxProtocolException(Status.BAD_REQUEST, "string of " + length + " bytes exceeds " + maxBytes);
        }
        need(in, length);
        String s;
        try {
            // Strict: the lenient String decoding turns malformed bytes into U+FFFD, accepting a message that
            // is not the one sent and that re-encodes to other bytes.
            s = StandardCharsets.UTF_8.newDecoder().decode(in.nioBuffer(in.readerIndex(), length)).toString();
        } catch (CharacterCodingException e) {
            throw new DaxProtocolException(Status.BAD_REQUEST, "string of " + length + " bytes is not valid UTF-8");
        }
        in.skipBytes(length);
        return s;
    }

    /** A boolean is one byte, 0 or 1: any other value is refused, so that every message has one encoding. */
    private static boolean readBoolean(ByteBuf in, String what) {
        byte b = need(in, 1).readByte();
        if (b != 0 && b != 1) {
            throw new DaxProtocolException(Status.BAD_REQUEST, what + " must be a boolean 0 or 1, was " + b);
        }
        return b == 1;
    }

    private static ByteBuf need(ByteBuf in, long bytes) {
        if (in.readableBytes() < bytes) {
            throw new DaxProtocolException(Status.BAD_REQUEST, "truncated body: needed " + bytes + " more bytes, "
                    + in.readableBytes() + " left");
        }
        return in;
    }

    private static void requireConsumed(ByteBuf in) {
        if (in.isReadable()) {
            throw new DaxProtocolException(Status.BAD_REQUEST, in.readableBytes() + " unexpected trailing bytes");
        }
    }
}
