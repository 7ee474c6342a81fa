package io.cacdb.dax.server;

import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny blocking DAX client for tests: one socket, the real codec ({@link WireFormat}), requests written in order,
 * responses read in the order the server sends them. Pipelining: {@link #send} many, then {@link #receive} as many.
 * Not thread-safe. Every read has a timeout so a test never hangs.
 */
public final class RawDaxClient implements AutoCloseable {

    /** Longest wait for one response: far above any server latency on loopback, short enough for a failing test. */
    static final int READ_TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Map<Long, BlockAddress> readAddresses = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1);

    public RawDaxClient(String host, int port) {
        try {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException("connect " + host + ":" + port, e);
        }
    }

    public static RawDaxClient to(DaxServer server) {
        return new RawDaxClient(server.config().bindHost(), server.rpcPort());
    }

    public long nextId() {
        return ids.getAndIncrement();
    }

    /** Sends one request and waits for the next response (use with one request in flight). */
    public DaxResponse call(DaxRequest request) {
        send(request);
        return receive();
    }

    public void send(DaxRequest request) {
        if (request instanceof DaxRequest.Read r) {
            readAddresses.put(r.requestId(), r.address());
        }
        ByteBuf buf = Unpooled.buffer();
        try {
            WireFormat.encodeRequest(request, buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            sendRaw(bytes);
        } finally {
            buf.release();
        }
    }

    public void sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("send", e);
        }
    }

    /** Reads the next response frame; fails on timeout or end of stream. */
    public DaxResponse receive() {
        try {
            int length = in.readInt();
            byte[] frame = new byte[length];
            in.readFully(frame);
            ByteBuf buf = Unpooled.wrappedBuffer(frame);
            try {
                return WireFormat.decodeResponse(buf, readAddresses::remove);
            } finally {
                buf.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("receive", e);
        }
    }

    public List<DaxResponse> receive(int count) {
        List<DaxResponse> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(receive());
        }
        return out;
    }

    /** True if the server closed the connection (end of stream or reset) before the read timeout. */
    public boolean closedByPeer() {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException | SocketException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("probe", e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException("close", e);
        }
    }
}
