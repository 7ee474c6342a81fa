package io.cacdb.server.sql;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.SocketFactory;

/** A socket factory for pgjdbc ({@code socketFactory=}) that remembers the last socket, so a test can cut it. */
public final class KillableSocketFactory extends SocketFactory {

    private static final AtomicReference<Socket> LAST = new AtomicReference<>();

    static void reset() {
        LAST.set(null);
    }

    static Socket last() {
        Socket s = LAST.get();
        if (s == null) {
            throw new IllegalStateException("no socket was made");
        }
        return s;
    }

    private static Socket remember(Socket s) {
        LAST.set(s);
        return s;
    }

    @Override
    public Socket createSocket() {
        return remember(new Socket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return remember(new Socket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return remember(new Socket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return remember(new Socket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return remember(new Socket(address, port, localAddress, localPort));
    }
}
