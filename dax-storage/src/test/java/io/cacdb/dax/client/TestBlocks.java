package io.cacdb.dax.client;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Deterministic test blocks (the bytes are a function of address and version) and bounded waits. */
final class TestBlocks {

    /** Longest wait for any single client operation in tests: far above loopback latencies, short for a hang. */
    static final long WAIT_SECONDS = 20;

    private TestBlocks() {
    }

    static Block block(BlockAddress address, Version version, int size) {
        byte[] label = (address + "@" + version).getBytes(StandardCharsets.UTF_8);
        byte[] payload = Arrays.copyOf(label, Math.max(size, label.length));
        for (int i = label.length; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + version.minor());
        }
        return Block.of(address, version, payload);
    }

    static Block block(BlockAddress address, Version version) {
        return block(address, version, 256);
    }

    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within " + WAIT_SECONDS + " s", e);
        }
    }

    /** The exception a future failed with (unwrapped), or an AssertionError if it succeeded. */
    static Throwable failure(CompletableFuture<?> f) {
        try {
            Object v = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + v);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            return DaxClient.unwrap(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within " + WAIT_SECONDS + " s", e);
        }
    }
}
