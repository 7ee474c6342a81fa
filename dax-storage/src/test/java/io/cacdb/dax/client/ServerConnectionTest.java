package io.cacdb.dax.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.transport.NetworkConditions;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.WireFormat;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One connection against a scripted fake server: framing errors, timeouts, bounds, cut-off, refused connects. */
class ServerConnectionTest {

    /** What the fake server does with each request frame it reads. */
    enum Script { GARBAGE, PONG, SILENT }

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private ServerSocket listener;

    @AfterEach
    void tearDown() throws IOException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        if (listener != null) {
            listener.close();
        }
    }

    /** Serves connections one after the other; each request frame is answered per the next script entry. */
    private int fakeServer(BlockingQueue<Script> scripts) throws IOException {
        listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    while (true) {
                        int length = in.readInt();
                        byte[] frame = new byte[length];
                        in.readFully(frame);
                        long requestId = ByteBuffer.wrap(frame, 2, 8).getLong();
                        Script script = scripts.poll(10, TimeUnit.SECONDS);
                        if (script == null || script == Script.SILENT) {
                            continue;
                        }
                        if (script == Script.GARBAGE) {
                            out.write(new byte[] {0, 0, 0, 3, 1, 2, 3});
                            out.flush();
                            continue;
                        }
                        ByteBuf buf = Unpooled.buffer();
                        WireFormat.encodeResponse(new DaxResponse.Pong(requestId, "fake", "a"), buf);
                        byte[] bytes = new byte[buf.readableBytes()];
                        buf.readBytes(bytes);
                        buf.release();
                        out.write(bytes);
                        out.flush();
                    }
                } catch (IOException e) {
                    // the client closed this connection (as after GARBAGE), or the test ended and closed the listener
                    if (listener.isClosed()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
        return listener.getLocalPort();
    }

    private ServerConnection connection(int port, DaxClientConfig config, NetworkConditions net) {
        return new ServerConnection(new ServerInfo("fake", "127.0.0.1", port, "b"), "a", config, net,
                (EventLoop) group.next(), new ClientMetrics(new SimpleMeterRegistry()));
    }

    private static Throwable failure(CompletableFuture<?> f) {
        return TestBlocks.failure(f);
    }

    @Test
    void malformedResponseFailsPendingAndTheNextRequestReconnects() throws Exception {
        BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
        scripts.add(Script.GARBAGE);
        scripts.add(Script.PONG);
        ServerConnection c = connection(fakeServer(scripts), DaxClientConfig.defaults("a"), NetworkConditions.none());
        ServerUnreachableException e = assertInstanceOf(ServerUnreachableException.class,
                failure(c.send(DaxRequest.Ping::new, Duration.ofSeconds(5))));
        assertTrue(e.getMessage().contains("connection closed"), e.getMessage());
        DaxResponse r = TestBlocks.await(c.send(DaxRequest.Ping::new, Duration.ofSeconds(5)));
        assertEquals("fake", assertInstanceOf(DaxResponse.Pong.class, r).serverId());
    }

    @Test
    void silentServerTimesOutAndInFlightIsBounded() throws Exception {
        BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
        for (int i = 0; i < 3; i++) {
            scripts.add(Script.SILENT);
        }
        ServerConnection c = connection(fakeServer(scripts),
                DaxClientConfig.builder("a").maxInFlightPerServer(2).build(), NetworkConditions.none());
        CompletableFuture<DaxResponse> first = c.send(DaxRequest.Ping::new, Duration.ofMillis(300));
        CompletableFuture<DaxResponse> second = c.send(DaxRequest.Ping::new, Duration.ofSeconds(10));
        assertInstanceOf(ClientOverloadedException.class,
                failure(c.send(DaxRequest.Ping::new, Duration.ofSeconds(5))));
        assertInstanceOf(DaxTimeoutException.class, failure(first));
        c.close();
        assertInstanceOf(ClientClosedException.class, failure(second));
    }

    @Test
    void cutOffFailsFastAndRefusedConnectBacksOff() throws Exception {
        NetworkConditions net = NetworkConditions.none();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ServerConnection c = connection(port, DaxClientConfig.builder("a")
                .reconnectBackoff(Duration.ofSeconds(30), Duration.ofSeconds(60)).build(), net);
        net.cutOff("fake");
        ServerUnreachableException cut = assertInstanceOf(ServerUnreachableException.class,
                failure(c.send(DaxRequest.Ping::new, Duration.ofSeconds(5))));
        assertTrue(cut.getMessage().contains("cut off"), cut.getMessage());
        net.healAll();
        ServerUnreachableException refused = assertInstanceOf(ServerUnreachableException.class,
                failure(c.send(DaxRequest.Ping::new, Duration.ofSeconds(5))));
        assertTrue(refused.getMessage().contains("connect to"), refused.getMessage());
        ServerUnreachableException backoff = assertInstanceOf(ServerUnreachableException.class,
                failure(c.send(DaxRequest.Ping::new, Duration.ofSeconds(5))));
        assertTrue(backoff.getMessage().contains("reconnect backoff"), backoff.getMessage());
    }
}
