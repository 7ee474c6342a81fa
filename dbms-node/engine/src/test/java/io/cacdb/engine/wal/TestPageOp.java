package io.cacdb.engine.wal;

import io.cacdb.engine.page.PageOp;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** A page op for WAL tests: writes its bytes at an offset of the page. Code {@link #CODE}. */
record TestPageOp(int offset, byte[] bytes) implements PageOp {

    static final byte CODE = 42;

    /** The decoder WAL tests hand the codec. */
    static final PageOpDecoder DECODER = (code, body) -> {
        if (code != CODE) {
            throw new IllegalArgumentException("unknown page op code " + code);
        }
        int offset = body.getInt();
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        return new TestPageOp(offset, bytes);
    };

    static final LogRecordCodec CODEC = new LogRecordCodec(DECODER);

    @Override
    public byte code() {
        return CODE;
    }

    @Override
    public void apply(byte[] page) {
        System.arraycopy(bytes, 0, page, offset, bytes.length);
    }

    @Override
    public int encodedSize() {
        return Integer.BYTES + bytes.length;
    }

    @Override
    public void encode(ByteBuffer out) {
        out.putInt(offset);
        out.put(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TestPageOp t && t.offset == offset && Arrays.equals(t.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return 31 * offset + Arrays.hashCode(bytes);
    }
}
