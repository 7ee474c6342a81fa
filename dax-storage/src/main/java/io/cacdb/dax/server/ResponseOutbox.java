package io.cacdb.dax.server;

import io.cacdb.dax.wire.DaxResponse;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.AttributeKey;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends a connection's responses with one event-loop task and one flush per burst, whichever thread produces them.
 *
 * <p>Why: the group-commit writer answers a whole batch at once from its own thread; a {@code writeAndFlush} per
 * response would wake the event loop and make a syscall per response, which on a busy server costs more than the
 * batch's RocksDB work. Here the first response of a burst schedules one drain task; responses that arrive before it
 * runs ride along; the drain writes them all and flushes once.
 *
 * <p>Bound: every response answers a request this connection sent and the server accepted, and accepted requests are
 * bounded by the write and read queue capacities (requests beyond them are answered OVERLOADED at once), so the queue
 * holds at most that many responses. Thread-safe.
 */
final class ResponseOutbox {

    static final AttributeKey<ResponseOutbox> KEY = AttributeKey.valueOf("cacdb.dax.responseOutbox");

    private final Channel channel;
    /** A response, and whether the connection closes once it is sent (bad framing, unsupported version). */
    private record Outgoing(DaxResponse response, boolean closeAfter) {
    }

    private final Queue<Outgoing> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    private ResponseOutbox(Channel channel) {
        this.channel = channel;
    }

    static void attach(Channel channel) {
        channel.attr(KEY).set(new ResponseOutbox(channel));
    }

    static ResponseOutbox of(Channel channel) {
        ResponseOutbox outbox = channel.attr(KEY).get();
        if (outbox == null) {
            throw new IllegalStateException("connection " + channel + " has no response outbox");
        }
        return outbox;
    }

    void send(DaxResponse response) {
        enqueue(new Outgoing(response, false));
    }

    /**
     * Sends {@code response} after everything queued before it, then closes the connection; responses queued after
     * it are dropped (the peer's stream can no longer be trusted).
     */
    void sendAndClose(DaxResponse response) {
        enqueue(new Outgoing(response, true));
    }

    private void enqueue(Outgoing outgoing) {
        pending.add(outgoing);
        if (drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this::drain);
        }
    }

    private void drain() {
        // cleared first: a response added after the loop below has looked will schedule its own drain
        drainScheduled.set(false);
        boolean wrote = false;
        for (Outgoing o; (o = pending.poll()) != null; ) {
            if (!channel.isActive()) {
                pending.clear();
                return;
            }
            if (o.closeAfter()) {
                pending.clear();
                channel.writeAndFlush(o.response()).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            channel.write(o.response(), channel.voidPromise());
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }
}
