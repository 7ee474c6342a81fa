package io.cacdb.dax.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Byte-level edits of an encoded frame (length field included), for building malformed frames from valid ones.
 * Offsets count from the start of the length field: version at 4, opcode at 5, request id at 6, body at 14
 * (a response's status at 14, its body at 16).
 */
final class FrameEdit {

    static final int VERSION_AT = 4;
    static final int OPCODE_AT = 5;
    static final int BODY_AT = 14;
    static final int RESPONSE_BODY_AT = 16;

    private FrameEdit() {
    }

    static byte[] withByte(byte[] frame, int at, int value) {
        byte[] copy = frame.clone();
        copy[at] = (byte) value;
        return copy;
    }

    static byte[] withShort(byte[] frame, int at, int value) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).putShort(at, (short) value);
        return copy;
    }

    static byte[] withInt(byte[] frame, int at, int value) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).putInt(at, value);
        return copy;
    }

    static byte[] withLong(byte[] frame, int at, long value) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).putLong(at, value);
        return copy;
    }

    /** The frame cut to {@code totalBytes} (length field included), with its length field fixed to match. */
    static byte[] cut(byte[] frame, int totalBytes) {
        return withLengthFixed(Arrays.copyOf(frame, totalBytes));
    }

    /** The frame with {@code extra} appended to its body, length field fixed to match. */
    static byte[] append(byte[] frame, byte... extra) {
        byte[] longer = Arrays.copyOf(frame, frame.length + extra.length);
        System.arraycopy(extra, 0, longer, frame.length, extra.length);
        return withLengthFixed(longer);
    }

    /**
     * Lengths to cut a frame to, from {@code fromBytes} (the start of the body) to one short of the whole frame:
     * every length up to 128 bytes past the body's start and in the last 32 bytes, where all fixed fields and
     * length prefixes are, and every 97th between (inside long strings and payloads, which fail the same way).
     */
    static int[] truncations(int frameLength, int fromBytes) {
        return IntStream.range(fromBytes, frameLength)
                .filter(n -> n < fromBytes + 128 || n >= frameLength - 32 || n % 97 == 0)
                .toArray();
    }

    static byte[] withLengthFixed(byte[] frame) {
        return withInt(frame, 0, frame.length - 4);
    }

    /** Just a length field. */
    static byte[] lengthField(long u32) {
        return ByteBuffer.allocate(4).putInt((int) u32).array();
    }

    static byte[] concat(byte[]... parts) {
        return Samples.concat(Arrays.asList(parts));
    }
}
