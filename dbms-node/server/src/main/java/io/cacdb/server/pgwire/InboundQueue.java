package io.cacdb.server.pgwire;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Decoded messages of one connection, from its event loop to its session thread, in order. The event loop never
 * waits: {@link #offer} always accepts and reports whether the connection should stop reading; the session thread
 * {@link #take}s and resumes reading once the queue has drained below half its high-water marks.
 *
 * <p>Bound: reading stops at the high-water mark (messages or bytes). What arrives after that is what the decoder can
 * still split from data already read, at most one socket read ({@link #MAX_SOCKET_READ_BYTES}, the receive buffer
 * limit set on every connection) of the smallest messages plus one partial message; {@link #hardLimitMessages}
 * asserts it.
 */
final class InboundQueue {

    /** Largest single socket read: the receive-buffer allocator's maximum (Netty's default). */
    static final int MAX_SOCKET_READ_BYTES = 64 << 10;
    /** Smallest regular message: a type byte and a length word (Sync, Flush). */
    static final int MIN_MESSAGE_BYTES = 5;

    /** What the connection should do about reading. */
    interface ReadControl {
        void setReading(boolean reading);
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<FrontendMessage> queue = new ArrayDeque<>();
    private final int highWaterMessages;
    private final int highWaterBytes;
    private final int hardLimitMessages;
    private final ReadControl readControl;
    private long bytes;
    private boolean paused;
    private boolean closed;

    InboundQueue(int highWaterMessages, int highWaterBytes, ReadControl readControl) {
        this.highWaterMessages = highWaterMessages;
        this.highWaterBytes = highWaterBytes;
        this.hardLimitMessages = highWaterMessages + MAX_SOCKET_READ_BYTES / MIN_MESSAGE_BYTES + 2;
        this.readControl = readControl;
    }

    /** Event loop: appends a message; stops reading when a high-water mark is reached. Never blocks. */
    void offer(FrontendMessage m) {
        boolean pause = false;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (queue.size() >= hardLimitMessages) {
                throw new IllegalStateException("inbound queue holds " + queue.size() + " messages, above its bound "
                        + hardLimitMessages + ": reading did not stop at the high-water mark " + highWaterMessages);
            }
            queue.addLast(m);
            bytes += m.weightBytes();
            if (!paused && (queue.size() >= highWaterMessages || bytes >= highWaterBytes)) {
                paused = true;
                pause = true;
            }
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
        if (pause) {
            readControl.setReading(false);
        }
    }

    /**
     * Session thread: the next message, waiting for one; null once the queue is closed (the connection is gone).
     *
     * @throws InterruptedException the session thread was interrupted (server stopping)
     */
    FrontendMessage take() throws InterruptedException {
        FrontendMessage m;
        boolean resume = false;
        lock.lock();
        try {
            while (queue.isEmpty() && !closed) {
                notEmpty.await();
            }
            if (closed) {
                return null;
            }
            m = queue.removeFirst();
            bytes -= m.weightBytes();
            if (paused && queue.size() <= highWaterMessages / 2 && bytes <= highWaterBytes / 2) {
                paused = false;
                resume = true;
            }
        } finally {
            lock.unlock();
        }
        if (resume) {
            readControl.setReading(true);
        }
        return m;
    }

    /** Drops what is queued and wakes the session thread; later offers are ignored. */
    void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            bytes = 0;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
