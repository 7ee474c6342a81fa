package io.cacdb.engine.bufferpool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A durable log the test controls. In manual mode the durable LSN moves only when the test calls
 * {@link #advanceTo}; in auto mode asking for durability makes it durable (like a group commit flushing on
 * demand), completing the wait on {@code completer} so callbacks run on another thread as with a real log writer.
 */
final class FakeDurableLog implements DurableLog {

    private final boolean auto;
    private final Executor completer;
    private long durable;
    private final List<Waiter> waiters = new ArrayList<>();

    private record Waiter(long lsn, CompletableFuture<Void> future) {
    }

    private FakeDurableLog(boolean auto, Executor completer, long durable) {
        this.auto = auto;
        this.completer = completer;
        this.durable = durable;
    }

    static FakeDurableLog manual(long durableLsn) {
        return new FakeDurableLog(false, Runnable::run, durableLsn);
    }

    static FakeDurableLog auto(Executor completer) {
        return new FakeDurableLog(true, completer, 0);
    }

    @Override
    public synchronized long durableLsn() {
        return durable;
    }

    @Override
    public CompletableFuture<Void> awaitDurable(long lsn) {
        synchronized (this) {
            if (auto && lsn > durable) {
                durable = lsn;
            }
            if (lsn > durable) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                waiters.add(new Waiter(lsn, f));
                return f;
            }
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        completer.execute(() -> f.complete(null));
        return f;
    }

    synchronized int waiting() {
        return waiters.size();
    }

    void advanceTo(long lsn) {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (this) {
            if (lsn < durable) {
                throw new IllegalArgumentException("durable LSN must not move back: " + durable + " -> " + lsn);
            }
            durable = lsn;
            waiters.removeIf(w -> {
                if (w.lsn() <= lsn) {
                    ready.add(w.future());
                    return true;
                }
                return false;
            });
        }
        ready.forEach(f -> f.complete(null));
    }
}
