package io.cacdb.ioscheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.ioscheduler.IoSchedulerConfig.ClassLimits;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IoSchedulerTest {

    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);

    /** An IO whose completion the test controls, recording when it started and how many were in flight then. */
    private static final class Probe {
        final String name;
        final IoClass ioClass;
        final CompletableFuture<String> io = new CompletableFuture<>();
        CompletableFuture<String> result;
        boolean started;

        Probe(String name, IoClass ioClass) {
            this.name = name;
            this.ioClass = ioClass;
        }

        void complete() {
            io.complete(name);
        }
    }

    /** Tracks concurrency observed by the operations themselves, independent of the scheduler's own counters. */
    private static final class Tracker {
        final Map<IoClass, AtomicInteger> inFlight = new EnumMap<>(IoClass.class);
        final AtomicInteger global = new AtomicInteger();
        final AtomicInteger nonLog = new AtomicInteger();
        final List<String> startOrder = new ArrayList<>();

        Tracker() {
            for (IoClass c : IoClass.values()) {
                inFlight.put(c, new AtomicInteger());
            }
        }
    }

    private static IoSchedulerConfig config(int global, int reserved, int aging, ClassLimits log, ClassLimits read,
                                            ClassLimits replay, ClassLimits write) {
        Map<IoClass, ClassLimits> m = new EnumMap<>(IoClass.class);
        m.put(IoClass.LOG_WRITE, log);
        m.put(IoClass.PAGE_READ, read);
        m.put(IoClass.REPLAY_READ, replay);
        m.put(IoClass.PAGE_WRITE, write);
        return new IoSchedulerConfig(global, reserved, aging, m);
    }

    private Probe submit(IoScheduler s, Tracker t, String name, IoClass c) {
        Probe p = new Probe(name, c);
        p.result = s.submit(c, () -> {
            p.started = true;
            t.startOrder.add(name);
            t.inFlight.get(c).incrementAndGet();
            t.global.incrementAndGet();
            if (c != IoClass.LOG_WRITE) {
                t.nonLog.incrementAndGet();
            }
            return p.io.whenComplete((v, e) -> {
                t.inFlight.get(c).decrementAndGet();
                t.global.decrementAndGet();
                if (c != IoClass.LOG_WRITE) {
                    t.nonLog.decrementAndGet();
                }
            });
        });
        return p;
    }

    @Test
    void randomWorkloadNeverExceedsAnyLimit() {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        System.out.println("IoSchedulerTest.randomWorkloadNeverExceedsAnyLimit seed=" + seed
                + " (reproduce with -Dcacdb.seed=" + seed + ")");
        Random rnd = new Random(seed);
        int global = 4 + rnd.nextInt(12);
        int reserved = 1 + rnd.nextInt(Math.min(3, global - 2));
        int others = global - reserved;
        IoSchedulerConfig cfg = config(global, reserved, 1 + rnd.nextInt(4),
                new ClassLimits(reserved, Math.min(global - 1, reserved + 2), 1000),
                new ClassLimits(1 + rnd.nextInt(others), others, 1000),
                new ClassLimits(1 + rnd.nextInt(others), others, 1000),
                new ClassLimits(1 + rnd.nextInt(others), others, 1000));
        IoScheduler s = new IoScheduler(cfg, registry);
        Tracker t = new Tracker();
        List<Probe> all = new ArrayList<>();
        List<Probe> running = new ArrayList<>();
        IoClass[] classes = IoClass.values();
        for (int step = 0; step < 5_000; step++) {
            if (rnd.nextInt(3) > 0 || running.isEmpty()) {
                Probe p = submit(s, t, "io" + step, classes[rnd.nextInt(classes.length)]);
                all.add(p);
            } else {
                running.remove(rnd.nextInt(running.size())).complete();
            }
            if (rnd.nextInt(200) == 0) {
                IoClass c = classes[1 + rnd.nextInt(3)];
                s.setInFlightLimit(c, 1 + rnd.nextInt(others));
            }
            running.clear();
            for (Probe p : all) {
                if (p.started && !p.io.isDone()) {
                    running.add(p);
                }
            }
            assertTrue(t.global.get() <= global, "global in flight " + t.global.get() + " > cap " + global);
            assertTrue(t.nonLog.get() <= others, "non-log in flight " + t.nonLog.get() + " > " + others);
            assertEquals(t.global.get(), s.globalInFlight(), "scheduler's count vs observed");
        }
        // Drain: everything submitted must eventually run and complete.
        for (int guard = 0; guard < 100_000 && all.stream().anyMatch(p -> !p.result.isDone()); guard++) {
            all.stream().filter(p -> p.started && !p.io.isDone()).findFirst().ifPresent(Probe::complete);
        }
        for (Probe p : all) {
            assertTrue(p.result.isDone(), p.name + " never completed");
        }
        assertEquals(0, s.globalInFlight());
    }

    @Test
    void perClassLimitHoldsUnderLoad() {
        IoScheduler s = new IoScheduler(config(20, 2, 8, new ClassLimits(2, 4, 10), new ClassLimits(3, 8, 100),
                new ClassLimits(2, 8, 100), new ClassLimits(1, 8, 100)), registry);
        Tracker t = new Tracker();
        List<Probe> reads = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            reads.add(submit(s, t, "r" + i, IoClass.PAGE_READ));
        }
        int maxSeen = 0;
        for (Probe p : reads) {
            maxSeen = Math.max(maxSeen, t.inFlight.get(IoClass.PAGE_READ).get());
            assertTrue(t.inFlight.get(IoClass.PAGE_READ).get() <= 3, "PAGE_READ in flight above its limit 3");
            p.complete();
        }
        assertEquals(3, maxSeen, "the limit was reached but never passed");
        assertTrue(reads.stream().allMatch(p -> p.result.isDone()));
    }

    @Test
    void reservedSlotsLetLogWritesRunWhileOthersSaturateTheCap() {
        // global 6, 2 reserved: the other classes together get at most 4.
        IoScheduler s = new IoScheduler(config(6, 2, 8, new ClassLimits(2, 3, 10), new ClassLimits(4, 4, 100),
                new ClassLimits(4, 4, 100), new ClassLimits(4, 4, 100)), registry);
        Tracker t = new Tracker();
        List<Probe> others = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            others.add(submit(s, t, "w" + i, IoClass.PAGE_WRITE));
            others.add(submit(s, t, "r" + i, IoClass.PAGE_READ));
            others.add(submit(s, t, "p" + i, IoClass.REPLAY_READ));
        }
        assertEquals(4, t.nonLog.get(), "others fill exactly the non-reserved slots");
        assertEquals(8, s.queueDepth(IoClass.PAGE_WRITE) + s.queueDepth(IoClass.PAGE_READ)
                + s.queueDepth(IoClass.REPLAY_READ));
        Probe log1 = submit(s, t, "log1", IoClass.LOG_WRITE);
        Probe log2 = submit(s, t, "log2", IoClass.LOG_WRITE);
        assertTrue(log1.started && log2.started, "commits run at once in the reserved slots");
        Probe log3 = submit(s, t, "log3", IoClass.LOG_WRITE);
        assertFalse(log3.started, "LOG_WRITE's own limit of 2 still holds");
        log1.complete();
        assertTrue(log3.started);
        assertEquals("log1", log1.result.join());
    }

    @Test
    void queuedWorkStartsInPriorityOrder() {
        // global 4, 1 reserved: 3 non-log slots; LOG_WRITE may use 2.
        IoScheduler s = new IoScheduler(config(4, 1, 100, new ClassLimits(2, 3, 10), new ClassLimits(3, 3, 10),
                new ClassLimits(3, 3, 10), new ClassLimits(3, 3, 10)), registry);
        Tracker t = new Tracker();
        List<Probe> blockers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            blockers.add(submit(s, t, "block" + i, IoClass.PAGE_WRITE));
        }
        Probe logBlocker = submit(s, t, "logBlock", IoClass.LOG_WRITE);
        assertEquals(4, s.globalInFlight());
        t.startOrder.clear();
        // Submitted in reverse priority order.
        submit(s, t, "write", IoClass.PAGE_WRITE);
        submit(s, t, "replay", IoClass.REPLAY_READ);
        submit(s, t, "read", IoClass.PAGE_READ);
        submit(s, t, "log", IoClass.LOG_WRITE);
        assertEquals(List.of(), t.startOrder, "nothing starts while the cap is full");
        for (Probe b : blockers) {
            b.complete();
        }
        logBlocker.complete();
        assertEquals(List.of("log", "read", "replay", "write"), t.startOrder);
    }

    @Test
    void agingStartsALowerClassAfterBoundedPassOvers() {
        int aging = 3;
        // 2 non-log slots shared by PAGE_READ and PAGE_WRITE; both are startable whenever a slot frees.
        IoScheduler s = new IoScheduler(config(3, 1, aging, new ClassLimits(1, 1, 10), new ClassLimits(2, 2, 100),
                new ClassLimits(2, 2, 100), new ClassLimits(2, 2, 100)), registry);
        Tracker t = new Tracker();
        List<Probe> reads = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            reads.add(submit(s, t, "r" + i, IoClass.PAGE_READ));
        }
        submit(s, t, "w", IoClass.PAGE_WRITE);
        t.startOrder.clear();
        for (int i = 0; i < 10; i++) {
            reads.get(i).complete();
        }
        int writeAt = t.startOrder.indexOf("w");
        assertEquals(aging, writeAt, "the write waits exactly " + aging + " pass-overs: " + t.startOrder);
    }

    @Test
    void fullQueueRejectsWithTypedError() {
        IoScheduler s = new IoScheduler(config(8, 1, 8, new ClassLimits(1, 1, 10), new ClassLimits(1, 1, 2),
                new ClassLimits(1, 1, 2), new ClassLimits(1, 1, 2)), registry);
        Tracker t = new Tracker();
        Probe running = submit(s, t, "a", IoClass.PAGE_READ);
        submit(s, t, "b", IoClass.PAGE_READ);
        submit(s, t, "c", IoClass.PAGE_READ);
        IoQueueFullException e = assertThrows(IoQueueFullException.class, () -> submit(s, t, "d", IoClass.PAGE_READ));
        assertEquals(IoClass.PAGE_READ, e.ioClass());
        assertEquals(2, e.queueCapacity());
        assertEquals(1.0, registry.get("cacdb.io.rejected").tag("class", "page_read").counter().count());
        assertEquals(List.of("a"), t.startOrder, "the rejected IO never ran");
        running.complete();
        Probe e2 = submit(s, t, "e", IoClass.PAGE_READ);
        assertFalse(e2.started);
        assertEquals(2, s.queueDepth(IoClass.PAGE_READ));
    }

    @Test
    void inFlightLimitChangesAtRuntimeWithinTheCeiling() {
        IoScheduler s = new IoScheduler(config(16, 2, 8, new ClassLimits(2, 2, 10), new ClassLimits(1, 1, 10),
                new ClassLimits(2, 5, 100), new ClassLimits(1, 1, 10)), registry);
        Tracker t = new Tracker();
        List<Probe> replay = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            replay.add(submit(s, t, "p" + i, IoClass.REPLAY_READ));
        }
        assertEquals(2, t.inFlight.get(IoClass.REPLAY_READ).get());
        s.setInFlightLimit(IoClass.REPLAY_READ, 5);
        assertEquals(5, t.inFlight.get(IoClass.REPLAY_READ).get(), "raising the limit starts queued work at once");
        assertEquals(5.0, registry.get("cacdb.io.in_flight.limit").tag("class", "replay_read").gauge().value());
        assertThrows(IllegalArgumentException.class, () -> s.setInFlightLimit(IoClass.REPLAY_READ, 6));
        assertThrows(IllegalArgumentException.class, () -> s.setInFlightLimit(IoClass.REPLAY_READ, 0));
        assertThrows(IllegalArgumentException.class, () -> s.setInFlightLimit(IoClass.LOG_WRITE, 1),
                "LOG_WRITE may not go below its reserved slots");
        s.setInFlightLimit(IoClass.REPLAY_READ, 2);
        assertEquals(5, t.inFlight.get(IoClass.REPLAY_READ).get(), "lowering cancels nothing");
        replay.get(0).complete();
        replay.get(1).complete();
        replay.get(2).complete();
        assertEquals(2, t.inFlight.get(IoClass.REPLAY_READ).get(), "nothing started until below the new limit");
        assertFalse(replay.get(5).started);
        replay.get(3).complete();
        assertTrue(replay.get(5).started);
        assertEquals(2, t.inFlight.get(IoClass.REPLAY_READ).get());
    }

    @Test
    void metricsReportDepthInFlightWaitAndLimits() {
        IoScheduler s = new IoScheduler(config(8, 1, 8, new ClassLimits(1, 1, 10), new ClassLimits(1, 2, 7),
                new ClassLimits(1, 1, 10), new ClassLimits(1, 1, 10)), registry);
        Tracker t = new Tracker();
        Probe a = submit(s, t, "a", IoClass.PAGE_READ);
        Probe b = submit(s, t, "b", IoClass.PAGE_READ);
        submit(s, t, "c", IoClass.PAGE_READ);
        assertEquals(2.0, registry.get("cacdb.io.queue.depth").tag("class", "page_read").gauge().value());
        assertEquals(1.0, registry.get("cacdb.io.in_flight").tag("class", "page_read").gauge().value());
        assertEquals(1.0, registry.get("cacdb.io.in_flight.limit").tag("class", "page_read").gauge().value());
        assertEquals(7.0, registry.get("cacdb.io.queue.capacity").tag("class", "page_read").gauge().value());
        assertEquals(8.0, registry.get("cacdb.io.in_flight.global.limit").gauge().value());
        assertEquals(1.0, registry.get("cacdb.io.log_write.reserved").gauge().value());
        assertEquals(1.0, registry.get("cacdb.io.in_flight.global").gauge().value());
        clock.add(Duration.ofMillis(5));
        a.complete();
        assertTrue(b.started);
        Timer wait = registry.get("cacdb.io.wait").tag("class", "page_read").timer();
        assertEquals(2, wait.count(), "a started at once, b after 5 ms");
        assertEquals(5.0, wait.max(TimeUnit.MILLISECONDS), 0.001);
        assertEquals(5.0, wait.totalTime(TimeUnit.MILLISECONDS), 0.001);
        assertEquals(1.0, registry.get("cacdb.io.queue.depth").tag("class", "page_read").gauge().value());
    }

    @Test
    void failedOrThrowingOperationsFreeTheirSlot() {
        IoScheduler s = new IoScheduler(config(8, 1, 8, new ClassLimits(1, 1, 10), new ClassLimits(1, 1, 10),
                new ClassLimits(1, 1, 10), new ClassLimits(1, 1, 10)), registry);
        CompletableFuture<String> thrown = s.submit(IoClass.PAGE_READ, () -> {
            throw new IllegalStateException("boom");
        });
        CompletionException e1 = assertThrows(CompletionException.class, thrown::join);
        assertInstanceOf(IllegalStateException.class, e1.getCause());
        CompletableFuture<String> failed = s.submit(IoClass.PAGE_READ,
                () -> CompletableFuture.failedFuture(new IllegalArgumentException("bad")));
        assertInstanceOf(IllegalArgumentException.class,
                assertThrows(CompletionException.class, failed::join).getCause());
        assertEquals(0, s.inFlight(IoClass.PAGE_READ));
        assertEquals("ok", s.submit(IoClass.PAGE_READ, () -> CompletableFuture.completedFuture("ok")).join());
    }

    @Test
    void longChainsOfSynchronousCompletionsDoNotGrowTheStack() {
        int n = 50_000;
        IoScheduler s = new IoScheduler(config(8, 1, 8, new ClassLimits(1, 1, 10), new ClassLimits(1, 1, n),
                new ClassLimits(1, 1, 10), new ClassLimits(1, 1, 10)), registry);
        Tracker t = new Tracker();
        Probe blocker = submit(s, t, "blocker", IoClass.PAGE_READ);
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < n - 1; i++) {
            int v = i;
            results.add(s.submit(IoClass.PAGE_READ, () -> CompletableFuture.completedFuture(v)));
        }
        blocker.complete();
        for (int i = 0; i < results.size(); i++) {
            assertEquals(i, results.get(i).join());
        }
        assertEquals(0, s.globalInFlight());
    }

    @Test
    void closeFailsQueuedWorkAndRejectsNewWork() {
        IoScheduler s = new IoScheduler(config(8, 1, 8, new ClassLimits(1, 1, 10), new ClassLimits(1, 1, 10),
                new ClassLimits(1, 1, 10), new ClassLimits(1, 1, 10)), registry);
        Tracker t = new Tracker();
        Probe running = submit(s, t, "a", IoClass.PAGE_READ);
        Probe queued = submit(s, t, "b", IoClass.PAGE_READ);
        s.close();
        assertInstanceOf(IoSchedulerClosedException.class,
                assertThrows(CompletionException.class, queued.result::join).getCause());
        assertThrows(IoSchedulerClosedException.class, () -> submit(s, t, "c", IoClass.PAGE_READ));
        running.complete();
        assertEquals("a", running.result.join(), "in-flight IO completes normally");
        assertFalse(queued.started);
    }
}
