package io.cacdb.server.pgwire;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level PostgreSQL client for tests: writes messages exactly as given and reads the server's messages one by
 * one, with a read timeout (so a test that expects an answer that never comes fails instead of hanging).
 */
final class RawPgClient implements AutoCloseable {

    /** How long a read waits for the server before the test fails. */
    static final int READ_TIMEOUT_MILLIS = 10_000;

    /** One backend message: type and body. */
    record Msg(char type, byte[] body) {
        ByteBuffer buf() {
            return ByteBuffer.wrap(body);
        }

        /** Error/notice fields by code. */
        Map<Character, String> fields() {
            Map<Character, String> f = new LinkedHashMap<>();
            int i = 0;
            while (i < body.length && body[i] != 0) {
                char code = (char) body[i++];
                int end = i;
                while (body[end] != 0) {
                    end++;
                }
                f.put(code, new String(body, i, end - i, StandardCharsets.UTF_8));
                i = end + 1;
            }
            return f;
        }

        String sqlState() {
            return fields().get('C');
        }

        @Override
        public String toString() {
            return type == 'E' || type == 'N' ? type + fields().toString() : type + "(" + body.length + " bytes)";
        }
    }

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawPgClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
        out = socket.getOutputStream();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one message; throws EOFException if the server closed. */
    Msg read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("server closed the connection");
        }
        int length = in.readInt();
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new Msg((char) type, body);
    }

    int readByte() throws IOException {
        return in.read();
    }

    /** Reads messages up to and including ReadyForQuery. */
    List<Msg> readUntilReady() throws IOException {
        List<Msg> msgs = new ArrayList<>();
        while (true) {
            Msg m = read();
            msgs.add(m);
            if (m.type() == 'Z') {
                return msgs;
            }
        }
    }

    /** Reads until the server closes the connection, returning what came. */
    List<Msg> readUntilClosed() throws IOException {
        List<Msg> msgs = new ArrayList<>();
        while (true) {
            try {
                msgs.add(read());
            } catch (EOFException | java.net.SocketException e) {
                return msgs;
            } catch (SocketTimeoutException e) {
                throw new AssertionError("server did not close the connection; got " + msgs, e);
            }
        }
    }

    /** Startup as a trusted user and read through the first ReadyForQuery. */
    List<Msg> startup(String user) throws IOException {
        send(Wire.startup(Map.of("user", user, "database", "test")));
        return readUntilReady();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
