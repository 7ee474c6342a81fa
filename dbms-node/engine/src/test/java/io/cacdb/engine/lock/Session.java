package io.cacdb.engine.lock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Callable;

/**
 * A transaction on its own (virtual) thread, as a client session runs it: every call of one transaction runs on that
 * thread, in order.
 */
final class Session implements AutoCloseable {

    final long txnId;
    private final ExecutorService thread;

    Session(long txnId) {
        this.txnId = txnId;
        this.thread = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("txn-" + txnId).factory());
    }

    CompletableFuture<Void> run(Runnable step) {
        return CompletableFuture.runAsync(step, thread);
    }

    <T> Future<T> call(Callable<T> step) {
        return thread.submit(step);
    }

    /** Runs {@code step} and waits for it, within the test bound; rethrows what it threw. */
    void runNow(Runnable step) throws Exception {
        await(run(step));
    }

    static <T> T await(Future<T> f) throws Exception {
        try {
            return f.get(WaitEvents.BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : e.getCause();
            if (c instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("step did not finish within " + WaitEvents.BOUND, e);
        }
    }

    /** The exception {@code f} failed with, within the test bound; fails if it succeeded. */
    static Throwable failure(Future<?> f) throws InterruptedException {
        try {
            f.get(WaitEvents.BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            return c instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : c;
        } catch (TimeoutException e) {
            throw new AssertionError("step did not finish within " + WaitEvents.BOUND, e);
        }
        throw new AssertionError("step succeeded but was expected to fail");
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(WaitEvents.BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("session thread of txn " + txnId + " did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping the session of txn " + txnId, e);
        }
    }
}
