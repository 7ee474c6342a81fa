package io.cacdb.replay.window;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The records parsed ahead of the apply point: a bounded FIFO of {@link WindowEntry}s between the tailer (one
 * producer) and the applier (one consumer), limited both in log bytes and in MTRs.
 *
 * <p>An entry is admitted when the window is empty (so one MTR larger than the byte limit — a checkpoint of a huge
 * dirty-page table — can never stall replay) or when it fits both limits. The applier {@link #peek}s the head, applies
 * it, then {@link #removeHead}s it, so what the window counts is exactly what is parsed and not yet applied. Waits are
 * bounded; {@link #wakeAll} ends them early (stop, catch-up). Thread-safe.
 */
public final class ParseAheadWindow {

    private final long bytesMax;
    private final int mtrsMax;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<WindowEntry> entries = new ArrayDeque<>();
    private long bytes;

    public ParseAheadWindow(long bytesMax, int mtrsMax) {
        if (bytesMax < 1 || mtrsMax < 1) {
            throw new IllegalArgumentException("window limits must be >= 1: bytes " + bytesMax + ", MTRs " + mtrsMax);
        }
        this.bytesMax = bytesMax;
        this.mtrsMax = mtrsMax;
    }

    /** Whether a small entry would be admitted now. */
    public boolean hasRoom() {
        lock.lock();
        try {
            return entries.size() < mtrsMax && bytes < bytesMax;
        } finally {
            lock.unlock();
        }
    }

    /** Waits (bounded) until {@link #hasRoom()}; returns whether it has. */
    public boolean awaitRoom(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (!(entries.size() < mtrsMax && bytes < bytesMax)) {
                if (left <= 0) {
                    return false;
                }
                left = notFull.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Adds {@code e} at the tail once it fits (see the class comment); false if it did not within the timeout. */
    public boolean put(WindowEntry e, long timeoutNanos) throws InterruptedException {
        Objects.requireNonNull(e, "e");
        lock.lock();
        try {
            long left = timeoutNanos;
            while (!entries.isEmpty() && (entries.size() >= mtrsMax || bytes + e.bytes() > bytesMax)) {
                if (left <= 0) {
                    return false;
                }
                left = notFull.awaitNanos(left);
            }
            entries.addLast(e);
            bytes += e.bytes();
            notEmpty.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The oldest entry, waiting (bounded) for one; null if none came. */
    public WindowEntry peek(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (entries.isEmpty()) {
                if (left <= 0) {
                    return null;
                }
                left = notEmpty.awaitNanos(left);
            }
            return entries.peekFirst();
        } finally {
            lock.unlock();
        }
    }

    /** Removes the head, which must be {@code e} (the entry the consumer peeked and applied). */
    public void removeHead(WindowEntry e) {
        lock.lock();
        try {
            WindowEntry head = entries.peekFirst();
            if (head != e) {
                throw new IllegalStateException("removing " + describe(e) + " but the window's head is "
                        + describe(head));
            }
            entries.pollFirst();
            bytes -= e.bytes();
            if (bytes < 0) {
                throw new IllegalStateException("window bytes went negative: " + bytes);
            }
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends every wait now (the waiters re-check their own conditions). */
    public void wakeAll() {
        lock.lock();
        try {
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public int mtrs() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    public long bytesMax() {
        return bytesMax;
    }

    public int mtrsMax() {
        return mtrsMax;
    }

    private static String describe(WindowEntry e) {
        return switch (e) {
            case null -> "nothing";
            case WindowEntry.ParsedMtr m -> "MTR [" + m.startLsn() + ", " + m.endLsn() + ")";
            case WindowEntry.Jump j -> "jump to " + j.checkpoint();
        };
    }
}
