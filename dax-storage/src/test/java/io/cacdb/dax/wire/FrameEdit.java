package io.cacdb.dax.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Byte-level edits of an encoded frame (length field included), for building malformed frames from valid ones.
 * Offsets count from the start of the length field: version at 4, opcode at 5, request id at 6, body at 14
 * (a response's status at 14, its body at 16). Public for the live-server fuzz test in {@code io.cacdb.dax.server}.
 */
public final class FrameEdit {

    public static final int VERSION_AT = 4;
    public static final int OPCODE_AT = 5;
    public static final int BODY_AT = 14;
    public static final int RESPONSE_BODY_AT = 16;

    private FrameEdit() {
    }

    public static byte[] withByte(byte[] frame, int at, int value) {
        byte[] copy = frame.clone();
        copy[at] = (byte) value;
        return copy;
    }

    public static byte[] withShort(byte[] frame, int at, int value) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).putShort(at, (short) value);
        return copy;
    }

    public static byte[] withInt(byte[] frame, int at, int value) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).putInt(at, value);
        return copy;
    }

    public static byte[] withLong(byte[] frame, int at, long value) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).putLong(at, value);
        return copy;
    }

    /** The frame cut to {@code totalBytes} (length field included), with its length field fixed to match. */
    public static byte[] cut(byte[] frame, int totalBytes) {
        return withLengthFixed(Arrays.copyOf(frame, totalBytes));
    }

    /** The frame with {@code extra} appended to its body, length field fixed to match. */
    public static byte[] append(byte[] frame, byte... extra) {
        byte[] longer = Arrays.copyOf(frame, frame.length + extra.length);
        System.arraycopy(extra, 0, longer, frame.length, extra.length);
        return withLengthFixed(longer);
    }

    /**
     * Lengths to cut a frame to, from {@code fromBytes} (the start of the body) to one short of the whole frame:
     * every length up to 128 bytes past the body's start and in the last 32 bytes, where all fixed fields and
     * length prefixes are, and every 97th between (inside long strings and payloads, which fail the same way).
     */
    public static int[] truncations(int frameLength, int fromBytes) {
        return IntStream.range(fromBytes, frameLength)
                .filter(n -> n < fromBytes + 128 || n >= frameLength - 32 || n % 97 == 0)
                .toArray();
    }

    public static byte[] withLengthFixed(byte[] frame) {
        return withInt(frame, 0, frame.length - 4);
    }

    /** Just a length field. */
    public static byte[] lengthField(long u32) {
        return ByteBuffer.allocate(4).putInt((int) u32).array();
    }

    public static byte[] concat(byte[]... parts) {
        return Samples.concat(Arrays.asList(parts));
    }

    /**
     * One to four random edits of {@code bytes} (one or more frames): flip a bit, overwrite a byte, insert or delete
     * bytes, write a boundary value (0, -1, max, min) over 1, 2, 4 or 8 bytes, truncate, or rewrite the first length
     * field to fit the bytes (so the frame stays framed and reaches the body checks). Deterministic for a given
     * {@code random} state.
     */
    public static byte[] mutate(byte[] bytes, Random random) {
        byte[] b = bytes;
        for (int m = 1 + random.nextInt(4); m > 0; m--) {
            int at = b.length == 0 ? 0 : random.nextInt(b.length);
            switch (random.nextInt(7)) {
                case 0 -> { // flip one bit
                    if (b.length > 0) {
                        b = b.clone();
                        b[at] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> { // overwrite one byte
                    if (b.length > 0) {
                        b = b.clone();
                        b[at] = (byte) random.nextInt(256);
                    }
                }
                case 2 -> { // insert bytes
                    byte[] inserted = new byte[1 + random.nextInt(4)];
                    random.nextBytes(inserted);
                    b = splice(b, at, 0, inserted);
                }
                case 3 -> b = splice(b, at, Math.min(b.length - at, 1 + random.nextInt(4)), new byte[0]); // delete
                case 4 -> { // a boundary value over 1, 2, 4 or 8 bytes: reaches sign and limit checks
                    int width = 1 << random.nextInt(4);
                    if (b.length >= width) {
                        b = b.clone();
                        int start = random.nextInt(b.length - width + 1);
                        byte fill = new byte[] {0, (byte) 0xFF, 0x7F, (byte) 0x80}[random.nextInt(4)];
                        for (int i = 0; i < width; i++) {
                            b[start + i] = i == 0 ? fill : (fill == 0x7F ? (byte) 0xFF : fill == (byte) 0x80 ? 0 : fill);
                        }
                    }
                }
                case 5 -> b = Arrays.copyOf(b, at); // truncate
                default -> { // keep the frame valid-looking: rewrite the first length field to fit the bytes
                    if (b.length >= 4) {
                        b = b.clone();
                        ByteBuffer.wrap(b).putInt(0, b.length - 4 - random.nextInt(Math.min(b.length - 3, 8)));
                    }
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
