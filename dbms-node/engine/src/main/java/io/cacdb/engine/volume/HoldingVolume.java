package io.cacdb.engine.volume;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A volume writer for crash tests: a write is <em>held</em> — not in storage, not acknowledged — until a releaser
 * stores it in the underlying volume and only then acknowledges it, so "acknowledged" implies "stored". Held writes
 * are released in a seeded random order (DAX completes parallel writes in any order), by a background thread in
 * {@link Mode#AUTO}, or only when the test says so in {@link Mode#MANUAL}. {@link #crash()} drops every held write
 * (their futures fail, as a write whose node died never completes) and refuses every later write: what the storage
 * holds then is exactly what was acknowledged. Reads and truncations go straight to the underlying volume.
 */
public final class HoldingVolume implements VolumeWriter {

    public enum Mode { AUTO, MANUAL }

    /** A write the crash dropped or refused: storage is gone for this node (not an invariant of the engine). */
    static final class Crashed extends RuntimeException {
        Crashed(String message) {
            super(message);
        }
    }

    private record Held(Block block, CompletableFuture<Void> ack) {
        void acknowledge(Throwable failure) {
            if (failure == null) {
                ack.complete(null);
            } else {
                ack.completeExceptionally(failure);
            }
        }
    }

    private final VolumeWriter storage;
    private final SplittableRandom random;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Held> held = new ArrayList<>();
    private final Thread releaser;
    private Mode mode;
    private boolean crashed;
    private long released;
    private long dropped;

    public HoldingVolume(VolumeWriter storage, long seed, Mode mode) {
        this.storage = storage;
        this.random = new SplittableRandom(seed);
        this.mode = mode;
        this.releaser = Thread.ofPlatform().name("holding-volume-releaser").daemon().unstarted(this::run);
        releaser.start();
    }

    private void run() {
        while (true) {
            Held h;
            Throwable failure;
            lock.lock();
            try {
                while (!crashed && (mode != Mode.AUTO || held.isEmpty())) {
                    changed.await();
                }
                if (crashed) {
                    return;
                }
                // Sometimes let a few writes pile up first, so that a crash finds several held and releases reorder.
                if (held.size() < 4 && random.nextInt(4) == 0) {
                    changed.await(50, TimeUnit.MICROSECONDS);
                    if (crashed || held.isEmpty() || mode != Mode.AUTO) {
                        continue;
                    }
                }
                h = held.remove(random.nextInt(held.size()));
                failure = storeLocked(h);
                changed.signalAll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            h.acknowledge(failure);
        }
    }

    /** Stores a held write; the caller acknowledges it after unlocking, with the storage's failure if any. */
    private Throwable storeLocked(Held h) {
        try {
            storage.write(h.block()).join();
            released++;
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }

    public void setMode(Mode m) {
        lock.lock();
        try {
            mode = m;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Releases every held write now (MANUAL mode). */
    public void releaseAll() {
        List<Held> out;
        List<Throwable> failures = new ArrayList<>();
        lock.lock();
        try {
            out = new ArrayList<>(held);
            held.clear();
            for (Held h : out) {
                failures.add(storeLocked(h));
            }
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < out.size(); i++) {
            out.get(i).acknowledge(failures.get(i));
        }
    }

    /** Releases {@code n} held writes chosen at random (MANUAL mode); returns how many it released. */
    public int releaseSome(int n) {
        List<Held> out = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        lock.lock();
        try {
            while (out.size() < n && !held.isEmpty()) {
                Held h = held.remove(random.nextInt(held.size()));
                out.add(h);
                failures.add(storeLocked(h));
            }
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < out.size(); i++) {
            out.get(i).acknowledge(failures.get(i));
        }
        return out.size();
    }

    /** Blocks (bounded) until no write is held (AUTO mode). */
    public boolean awaitDrained(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (!held.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    public int heldCount() {
        lock.lock();
        try {
            return held.size();
        } finally {
            lock.unlock();
        }
    }

    /** Blocks (bounded) until at least {@code n} writes are held. */
    public boolean awaitHeld(int n, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (held.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Drops every held write and refuses all later ones. Returns how many were dropped. */
    public int crash() {
        List<Held> out;
        lock.lock();
        try {
            crashed = true;
            out = new ArrayList<>(held);
            dropped += out.size();
            held.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Held h : out) {
            h.ack().completeExceptionally(new Crashed("crashed before the write was acknowledged"));
        }
        return out.size();
    }

    public long releasedCount() {
        lock.lock();
        try {
            return released;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long epoch() {
        return storage.epoch();
    }

    @Override
    public CompletableFuture<Void> write(Block block) {
        lock.lock();
        try {
            if (crashed) {
                return CompletableFuture.failedFuture(new Crashed("crashed: write refused"));
            }
            Held h = new Held(block, new CompletableFuture<>());
            held.add(h);
            changed.signalAll();
            return h.ack();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletableFuture<Void> deleteBelow(Space space, long blockNo) {
        lock.lock();
        try {
            if (crashed) {
                return CompletableFuture.failedFuture(new Crashed("crashed: truncation refused"));
            }
        } finally {
            lock.unlock();
        }
        return storage.deleteBelow(space, blockNo);
    }

    @Override
    public long volume() {
        return storage.volume();
    }

    @Override
    public CompletableFuture<Optional<Block>> read(BlockAddress address, ReadConsistency consistency,
                                                   Version atLeast) {
        return storage.read(address, consistency, atLeast);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            crashed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
