package io.cacdb.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The session thread's side of a connection's output: messages are encoded into one buffer on the session thread
 * and handed to Netty in chunks, at the protocol's flush points (ReadyForQuery, Flush, an authentication request, a
 * FATAL error) or when {@link #CHUNK_BYTES} are pending. Before handing a chunk over it waits while the channel is not
 * writable (more than the high-water mark queued for the client), so a slow reader slows its own statement and the
 * server's memory per connection stays bounded. Only the session thread calls {@link #send}/{@link #flush}.
 */
final class Outbound {

    /** Bytes encoded before a chunk is handed to Netty even without a flush point: big results stream. */
    static final int CHUNK_BYTES = 32 << 10;

    private final Channel channel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition writable = lock.newCondition();
    private final Runnable onWait;
    private ByteBuf pending;

    /** {@code onWait} runs each time the session thread has to wait for the client (for a metric). */
    Outbound(Channel channel, Runnable onWait) {
        this.channel = channel;
        this.onWait = onWait;
    }

    void send(BackendMessage m) {
        if (pending == null) {
            pending = channel.alloc().buffer(256);
        }
        BackendMessageEncoder.encode(m, pending);
        if (pending.readableBytes() >= CHUNK_BYTES) {
            flush();
        }
    }

    /** Hands everything encoded so far to Netty and flushes it to the socket. */
    void flush() {
        if (pending == null) {
            return;
        }
        ByteBuf chunk = pending;
        pending = null;
        if (!awaitWritable()) {
            chunk.release();
            return;
        }
        channel.writeAndFlush(chunk);
    }

    /** Flushes, then closes the connection once the bytes are written. */
    void flushAndClose() {
        ByteBuf chunk = pending;
        pending = null;
        if (chunk == null) {
            channel.close();
            return;
        }
        channel.writeAndFlush(chunk).addListener(ChannelFutureListener.CLOSE);
    }

    /** Drops what was not handed over (the connection is gone). */
    void discard() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /** Event loop: the channel's writability or liveness changed; wakes a waiting session thread. */
    void writabilityChanged() {
        lock.lock();
        try {
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean awaitWritable() {
        if (channel.isActive() && !channel.isWritable()) {
            onWait.run();
        }
        lock.lock();
        try {
            while (channel.isActive() && !channel.isWritable()) {
                writable.await();
            }
            return channel.isActive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }
}
