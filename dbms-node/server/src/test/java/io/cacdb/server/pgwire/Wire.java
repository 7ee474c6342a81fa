package io.cacdb.server.pgwire;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Frontend messages as bytes, built by hand for tests (independent of the server's codec). */
final class Wire {

    private Wire() {
    }

    static byte[] startup(Map<String, String> params) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeInt(body, PgWireLimits.PROTOCOL_3_0);
        params.forEach((k, v) -> {
            cstring(body, k);
            cstring(body, v);
        });
        body.write(0);
        return untyped(body.toByteArray());
    }

    static byte[] untyped(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(4 + body.length).put(body).array();
    }

    static byte[] sslRequest() {
        return ByteBuffer.allocate(8).putInt(8).putInt(PgWireLimits.SSL_REQUEST_CODE).array();
    }

    static byte[] gssEncRequest() {
        return ByteBuffer.allocate(8).putInt(8).putInt(PgWireLimits.GSSENC_REQUEST_CODE).array();
    }

    static byte[] cancel(int pid, int key) {
        return ByteBuffer.allocate(16).putInt(16).putInt(PgWireLimits.CANCEL_REQUEST_CODE).putInt(pid).putInt(key)
                .array();
    }

    static byte[] message(char type, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(4 + body.length).put(body).array();
    }

    static byte[] query(String sql) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        cstring(b, sql);
        return message('Q', b.toByteArray());
    }

    static byte[] parse(String name, String sql, int... oids) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        cstring(b, name);
        cstring(b, sql);
        writeShort(b, oids.length);
        for (int oid : oids) {
            writeInt(b, oid);
        }
        return message('P', b.toByteArray());
    }

    /** Bind with the given parameter formats, values (null = NULL) and result formats. */
    static byte[] bind(String portal, String statement, short[] paramFormats, List<byte[]> values,
            short[] resultFormats) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        cstring(b, portal);
        cstring(b, statement);
        writeShort(b, paramFormats.length);
        for (short f : paramFormats) {
            writeShort(b, f);
        }
        writeShort(b, values.size());
        for (byte[] v : values) {
            if (v == null) {
                writeInt(b, -1);
            } else {
                writeInt(b, v.length);
                b.writeBytes(v);
            }
        }
        writeShort(b, resultFormats.length);
        for (short f : resultFormats) {
            writeShort(b, f);
        }
        return message('B', b.toByteArray());
    }

    static byte[] describe(char kind, String name) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(kind);
        cstring(b, name);
        return message('D', b.toByteArray());
    }

    static byte[] close(char kind, String name) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(kind);
        cstring(b, name);
        return message('C', b.toByteArray());
    }

    static byte[] execute(String portal, int maxRows) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        cstring(b, portal);
        writeInt(b, maxRows);
        return message('E', b.toByteArray());
    }

    static byte[] sync() {
        return message('S', new byte[0]);
    }

    static byte[] flush() {
        return message('H', new byte[0]);
    }

    static byte[] terminate() {
        return message('X', new byte[0]);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void cstring(ByteArrayOutputStream b, String s) {
        b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        b.write(0);
    }

    static void writeInt(ByteArrayOutputStream b, int v) {
        b.write(v >>> 24);
        b.write(v >>> 16);
        b.write(v >>> 8);
        b.write(v);
    }

    static void writeShort(ByteArrayOutputStream b, int v) {
        b.write(v >>> 8);
        b.write(v);
    }
}
