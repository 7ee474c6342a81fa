package io.cacdb.archive;

import io.cacdb.archive.s3.ArchiveException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for one DAX step of the archive, backup or restore: its failure or timeout as an {@link ArchiveException}. */
public final class StorageWait {

    private StorageWait() {
    }

    /** The result of {@code step}, waiting at most {@code timeout}; {@code what} names the step in the error. */
    public static <T> T await(CompletableFuture<T> step, Duration timeout, String what) {
        try {
            return step.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ArchiveException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new ArchiveException(what + " took over " + timeout + "; are the DAX servers up?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArchiveException("interrupted while " + what, e);
        }
    }
}
