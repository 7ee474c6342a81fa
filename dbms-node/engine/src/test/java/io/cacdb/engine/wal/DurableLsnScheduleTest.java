package io.cacdb.engine.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.mtr.LogSink.LsnRange;
import io.cacdb.engine.volume.MemoryVolume;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The durable LSN under a hostile storage schedule: acknowledgements held, reordered and failed (some failed writes
 * even reached storage) under a seeded schedule. Checked at every advance: it never moves back and never passes a
 * byte not covered by an acknowledged write; at the end, every waiter at or below it completed normally and every
 * waiter above it failed with {@link LogWriterStoppedException}.
 */
class DurableLsnScheduleTest {

    private static final int ROUNDS = 12;
    private static final long TIMEOUT_SECONDS = 30;

    @Test
    void durableLsnNeverMovesBackNorPassesAnUnacknowledgedBlock() throws Exception {
        long seed = WalTestRecords.seed("durableLsnNeverMovesBackNorPassesAnUnacknowledgedBlock");
        Random seeds = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            long roundSeed = seeds.nextLong();
            try {
                runRound(roundSeed, round % 3 == 2);
            } catch (AssertionError | Exception e) {
                throw new AssertionError("round " + round + " (round seed " + roundSeed + ", seed " + seed + ")", e);
            }
        }
    }

    private void runRound(long roundSeed, boolean injectFailure) throws Exception {
        Random rnd = new Random(roundSeed);
        MemoryVolume storage = new MemoryVolume(1);
        ScheduledVolume volume = new ScheduledVolume(storage, ScheduledVolume.Mode.HOLD, null);
        // Swarm the writer's shape from the seed.
        int inFlight = 1 + rnd.nextInt(8);
        int bufferBlocks = inFlight + 1 + rnd.nextInt(16);
        LogWriterConfig config = new LogWriterConfig(bufferBlocks * LogBlock.LOG_BLOCK_PAYLOAD_BYTES, inFlight,
                LogWriterConfig.LOG_BUDGET_BYTES_DEFAULT, Duration.ofSeconds(TIMEOUT_SECONDS), Duration.ofMillis(50));
        LogWriter w = LogWriter.start(volume, config, LogTail.EMPTY, 0, new SimpleMeterRegistry());
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicLong last = new AtomicLong();
        w.addDurableListener(lsn -> {
            long prev = last.getAndSet(lsn);
            if (lsn < prev) {
                violations.add("durable LSN moved back " + prev + " -> " + lsn);
            }
            long acked = volume.acknowledgedPrefix(0);
            if (lsn > acked) {
                violations.add("durable LSN " + lsn + " passes the acknowledged prefix " + acked);
            }
        });
        record Commit(LsnRange range, CompletableFuture<Void> durable) {
        }
        List<Commit> commits = new ArrayList<>();
        List<ScheduledVolume.Pending> held = new ArrayList<>();
        int steps = 200 + rnd.nextInt(300);
        int failAt = injectFailure ? rnd.nextInt(steps) : -1;
        boolean failed = false;
        for (int step = 0; step < steps && !failed; step++) {
            int records = 1 + rnd.nextInt(4);
            // Records up to 12 KB (spanning blocks), but an MTR never larger than half of what this buffer takes.
            int budget = config.maxMtrBytes() / 2;
            List<LogRecord> mtr = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                LogRecord r = WalTestRecords.random(rnd, rnd.nextInt(10) == 0 ? Math.min(12_000, budget - 200) : 300);
                int size = LogRecordCodec.encodedSize(r);
                if (size <= budget) {
                    mtr.add(r);
                    budget -= size;
                }
            }
            if (mtr.isEmpty()) {
                mtr.add(new LogRecord.Commit(step + 1, 0, step));
            }
            // Free room first if the buffer may be full: release some held writes (never blocking the test).
            assertTrue(violations.isEmpty(), violations.toString());
            while (!fits(w, volume, mtr, config)) {
                volume.drainPending(held, 20);
                held = volume.shuffleAndRelease(held, rnd, 0.5);
            }
            LsnRange r = w.appendMtr(mtr);
            commits.add(new Commit(r, w.awaitDurable(r.endLsn())));
            volume.drainPending(held, 0);
            if (step == failAt && !held.isEmpty()) {
                ScheduledVolume.Pending victim = held.remove(rnd.nextInt(held.size()));
                volume.fail(victim, rnd.nextBoolean());
                failed = true;
            }
            held = volume.shuffleAndRelease(held, rnd, rnd.nextDouble());
        }
        if (!failed) {
            // Let everything through, in random order, until all is durable.
            CompletableFuture<Void> all = w.awaitDurable(w.appendedLsn());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (!all.isDone()) {
                assertTrue(System.nanoTime() < deadline, "log did not become durable");
                volume.drainPending(held, 20);
                held = volume.shuffleAndRelease(held, rnd, 1.0);
            }
            all.get();
        } else {
            LogWriterTest.waitUntil(() -> !w.isRunning(), "the writer to stop after the failed write");
            // Acknowledgements that arrive after the failure must not move anything.
            long frozen = w.durableLsn();
            volume.drainPending(held, 0);
            held.forEach(volume::release);
            assertEquals(frozen, w.durableLsn(), "durable LSN moved after the writer stopped");
        }
        w.close();
        long durable = w.durableLsn();
        assertTrue(violations.isEmpty(), violations.toString());
        assertTrue(durable <= volume.acknowledgedPrefix(0));
        for (Commit c : commits) {
            if (c.range().endLsn() <= durable) {
                c.durable().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } else {
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> c.durable().get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                        "commit ending at " + c.range().endLsn() + " above durable " + durable);
                assertInstanceOf(LogWriterStoppedException.class, e.getCause());
            }
        }
        if (!failed) {
            assertEquals(w.appendedLsn(), durable);
        }
    }

    private static boolean fits(LogWriter w, ScheduledVolume volume, List<LogRecord> mtr, LogWriterConfig config) {
        int size = mtr.stream().mapToInt(LogRecordCodec::encodedSize).sum();
        // The buffer holds at most capacity blocks from the lowest block not acknowledged in full, which the test
        // knows independently of the writer.
        long first = LogBlock.blockOf(volume.acknowledgedPrefix(0));
        long lastBlock = LogBlock.blockOf(w.appendedLsn() + size - 1);
        return lastBlock - first + 1 <= config.bufferCapacityBlocks();
    }
}
