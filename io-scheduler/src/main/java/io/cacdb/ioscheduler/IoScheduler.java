package io.cacdb.ioscheduler;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Bounded, prioritised asynchronous IO for one node.
 *
 * <p><b>Design.</b> Every IO belongs to an {@link IoClass}. A class has an in-flight limit and a bounded FIFO queue;
 * all classes share a global in-flight cap of which {@code logWriteReservedSlots} only {@link IoClass#LOG_WRITE} may
 * use, so reads and flushes saturating the cap never delay a commit. {@link #submit} enqueues the operation and starts
 * whatever may start; when an IO completes its slot is freed and the next queued IO is started on the completing
 * thread. The scheduler owns no threads: operations are asynchronous and only <em>started</em> here.
 *
 * <p><b>Which queued IO starts next.</b> A class is <em>startable</em> when its queue is non-empty, it is below its
 * own limit, the global cap has room, and — for classes other than LOG_WRITE — the non-reserved slots have room.
 * <ol>
 *   <li>A startable LOG_WRITE always starts first. It is never passed over; the other classes are protected from it
 *       by its own limit, which the config keeps below the global cap.</li>
 *   <li>Otherwise the startable classes compete in priority order PAGE_READ &gt; REPLAY_READ &gt; PAGE_WRITE, with
 *       aging: each time a startable class loses to a higher one its pass-over count rises; a class whose count has
 *       reached {@code agingPassesMax} wins the next start (the highest-priority such class if several) and its count
 *       resets. Under permanent contention a lower class therefore gets at least one of every
 *       {@code agingPassesMax + 1} starts: never starved, and still clearly lower priority.</li>
 * </ol>
 * Within a class IOs start in submission order.
 *
 * <p><b>Runtime limits.</b> {@link #setInFlightLimit} changes a class's limit within its configured ceiling (the
 * standby raises REPLAY_READ with its lag). Lowering never cancels running IO: no new IO of the class starts until
 * its in-flight count is below the new limit.
 *
 * <p><b>Threads.</b> Thread-safe. Operations are started and caller futures are completed on the thread that
 * submitted or on the thread that completed an earlier IO; callers must not block in callbacks of the returned
 * futures. A thread-local trampoline keeps a chain of synchronously completing IOs from growing the stack.
 *
 * <p><b>Metrics</b> (tag {@code class}): {@code cacdb.io.queue.depth}, {@code cacdb.io.in_flight},
 * {@code cacdb.io.in_flight.limit}, {@code cacdb.io.queue.capacity}, {@code cacdb.io.wait} (timer: queued → started),
 * {@code cacdb.io.rejected}; and untagged {@code cacdb.io.in_flight.global},
 * {@code cacdb.io.in_flight.global.limit}, {@code cacdb.io.log_write.reserved}. Wait times use the registry's clock.
 */
public final class IoScheduler implements AutoCloseable {

    private static final IoClass[] NON_LOG_BY_PRIORITY = {IoClass.PAGE_READ, IoClass.REPLAY_READ, IoClass.PAGE_WRITE};

    private final IoSchedulerConfig config;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<IoClass, ClassState> states = new EnumMap<>(IoClass.class);
    private final ThreadLocal<boolean[]> dispatching = ThreadLocal.withInitial(() -> new boolean[1]);

    // Guarded by lock.
    private int globalInFlight;
    private int nonLogInFlight;
    private boolean closed;

    public IoScheduler(IoSchedulerConfig config, MeterRegistry registry) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        this.clock = registry.config().clock();
        for (IoClass c : IoClass.values()) {
            states.put(c, new ClassState(c, config.limits(c), registry));
        }
        Gauge.builder("cacdb.io.in_flight.global", this, IoScheduler::globalInFlight).strongReference(true)
                .description("IOs in flight across all classes").register(registry);
        Gauge.builder("cacdb.io.in_flight.global.limit", config, IoSchedulerConfig::globalInFlightMax)
                .strongReference(true).register(registry);
        Gauge.builder("cacdb.io.log_write.reserved", config, IoSchedulerConfig::logWriteReservedSlots)
                .strongReference(true).register(registry);
    }

    public IoSchedulerConfig config() {
        return config;
    }

    /**
     * Runs {@code operation} as an IO of {@code ioClass} once a slot is free, and returns a future completed with the
     * operation's result. The supplier is called exactly once, when the IO starts; if it throws or returns a failed
     * future the returned future fails the same way. The slot is freed when the operation's future completes.
     *
     * @throws IoQueueFullException        if the class's queue is at capacity (the operation is not run)
     * @throws IoSchedulerClosedException  if the scheduler is closed
     */
    public <T> CompletableFuture<T> submit(IoClass ioClass, Supplier<CompletableFuture<T>> operation) {
        Objects.requireNonNull(ioClass, "ioClass");
        Objects.requireNonNull(operation, "operation");
        CompletableFuture<T> result = new CompletableFuture<>();
        ClassState s = states.get(ioClass);
        lock.lock();
        try {
            if (closed) {
                throw new IoSchedulerClosedException(ioClass);
            }
            if (s.queue.size() >= s.limits.queueCapacity()) {
                s.rejected.increment();
                throw new IoQueueFullException(ioClass, s.limits.queueCapacity(), s.inFlight);
            }
            s.queue.addLast(new Task<>(ioClass, operation, result, clock.monotonicTime()));
        } finally {
            lock.unlock();
        }
        dispatch();
        return result;
    }

    /**
     * Sets the in-flight limit of a class at runtime, within {@code [1, inFlightCeiling]} of its config (and, for
     * LOG_WRITE, not below the reserved slots). Raising it starts queued work at once.
     */
    public void setInFlightLimit(IoClass ioClass, int limit) {
        ClassState s = states.get(ioClass);
        int floor = ioClass == IoClass.LOG_WRITE ? config.logWriteReservedSlots() : 1;
        if (limit < floor || limit > s.limits.inFlightCeiling()) {
            throw new IllegalArgumentException("in-flight limit of " + ioClass + " must be in [" + floor + ", "
                    + s.limits.inFlightCeiling() + "], was " + limit);
        }
        lock.lock();
        try {
            s.limit = limit;
        } finally {
            lock.unlock();
        }
        dispatch();
    }

    public int inFlightLimit(IoClass ioClass) {
        return read(() -> states.get(ioClass).limit);
    }

    public int inFlight(IoClass ioClass) {
        return read(() -> states.get(ioClass).inFlight);
    }

    public int queueDepth(IoClass ioClass) {
        return read(() -> states.get(ioClass).queue.size());
    }

    public int globalInFlight() {
        return read(() -> globalInFlight);
    }

    /**
     * Stops accepting IO and fails every queued IO with {@link IoSchedulerClosedException}. IO already in flight is
     * not cancelled; its futures complete normally. Idempotent.
     */
    @Override
    public void close() {
        List<Task<?>> dropped = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            for (ClassState s : states.values()) {
                dropped.addAll(s.queue);
                s.queue.clear();
            }
        } finally {
            lock.unlock();
        }
        for (Task<?> t : dropped) {
            t.result.completeExceptionally(new IoSchedulerClosedException(t.ioClass));
        }
    }

    private int read(Supplier<Integer> field) {
        lock.lock();
        try {
            return field.get();
        } finally {
            lock.unlock();
        }
    }

    /** Starts queued IOs while any may start. Re-entrant calls on the same thread defer to the outermost loop. */
    private void dispatch() {
        boolean[] active = dispatching.get();
        if (active[0]) {
            // An outer dispatch loop on this thread re-checks after the current start returns.
            return;
        }
        active[0] = true;
        try {
            while (true) {
                Task<?> next;
                lock.lock();
                try {
                    next = pickNextLocked();
                    if (next == null) {
                        return;
                    }
                    ClassState s = states.get(next.ioClass);
                    s.inFlight++;
                    globalInFlight++;
                    if (next.ioClass != IoClass.LOG_WRITE) {
                        nonLogInFlight++;
                    }
                    checkLimitsLocked(s);
                } finally {
                    lock.unlock();
                }
                start(next);
            }
        } finally {
            active[0] = false;
        }
    }

    private void checkLimitsLocked(ClassState s) {
        int nonReserved = config.globalInFlightMax() - config.logWriteReservedSlots();
        if (globalInFlight > config.globalInFlightMax() || nonLogInFlight > nonReserved || s.inFlight > s.limit) {
            throw new IllegalStateException("IO limits exceeded: global " + globalInFlight + " > "
                    + config.globalInFlightMax() + " or non-log " + nonLogInFlight + " > " + nonReserved + " or "
                    + s.ioClass + " " + s.inFlight + " > " + s.limit);
        }
    }

    private boolean startableLocked(ClassState s) {
        if (s.queue.isEmpty() || s.inFlight >= s.limit || globalInFlight >= config.globalInFlightMax()) {
            return false;
        }
        return s.ioClass == IoClass.LOG_WRITE
                || nonLogInFlight < config.globalInFlightMax() - config.logWriteReservedSlots();
    }

    private Task<?> pickNextLocked() {
        ClassState log = states.get(IoClass.LOG_WRITE);
        if (startableLocked(log)) {
            return log.queue.pollFirst();
        }
        ClassState aged = null;
        ClassState first = null;
        for (IoClass c : NON_LOG_BY_PRIORITY) {
            ClassState s = states.get(c);
            if (!startableLocked(s)) {
                continue;
            }
            if (first == null) {
                first = s;
            }
            if (aged == null && s.passedOver >= config.agingPassesMax()) {
                aged = s;
            }
        }
        if (first == null) {
            return null;
        }
        ClassState winner = aged != null ? aged : first;
        for (IoClass c : NON_LOG_BY_PRIORITY) {
            ClassState s = states.get(c);
            if (s != winner && startableLocked(s)) {
                s.passedOver++;
            }
        }
        winner.passedOver = 0;
        return winner.queue.pollFirst();
    }

    private <T> void start(Task<T> task) {
        ClassState s = states.get(task.ioClass);
        s.waitTimer.record(clock.monotonicTime() - task.enqueuedNanos, TimeUnit.NANOSECONDS);
        CompletableFuture<T> io;
        try {
            io = Objects.requireNonNull(task.operation.get(), "IO operation returned a null future");
        } catch (RuntimeException | Error e) {
            io = CompletableFuture.failedFuture(e);
        }
        io.whenComplete((value, error) -> {
            release(task.ioClass);
            if (error != null) {
                task.result.completeExceptionally(error);
            } else {
                task.result.complete(value);
            }
            dispatch();
        });
    }

    private void release(IoClass ioClass) {
        lock.lock();
        try {
            ClassState s = states.get(ioClass);
            if (s.inFlight <= 0 || globalInFlight <= 0) {
                throw new IllegalStateException("IO slot released twice: " + ioClass + " in flight " + s.inFlight
                        + ", global " + globalInFlight);
            }
            s.inFlight--;
            globalInFlight--;
            if (ioClass != IoClass.LOG_WRITE) {
                nonLogInFlight--;
            }
        } finally {
            lock.unlock();
        }
    }

    private record Task<T>(IoClass ioClass, Supplier<CompletableFuture<T>> operation, CompletableFuture<T> result,
                           long enqueuedNanos) {
    }

    /** Per-class state; fields other than the meters are guarded by the scheduler's lock. */
    private final class ClassState {
        final IoClass ioClass;
        final IoSchedulerConfig.ClassLimits limits;
        final ArrayDeque<Task<?>> queue;
        final Timer waitTimer;
        final Counter rejected;
        int limit;
        int inFlight;
        int passedOver;

        ClassState(IoClass ioClass, IoSchedulerConfig.ClassLimits limits, MeterRegistry registry) {
            this.ioClass = ioClass;
            this.limits = limits;
            this.queue = new ArrayDeque<>();
            this.limit = limits.inFlightMax();
            String tag = ioClass.tagValue();
            this.waitTimer = Timer.builder("cacdb.io.wait").tag("class", tag)
                    .description("time an IO waited in its queue before it started").register(registry);
            this.rejected = Counter.builder("cacdb.io.rejected").tag("class", tag)
                    .description("IOs rejected because the class queue was full").register(registry);
            Gauge.builder("cacdb.io.queue.depth", this, st -> IoScheduler.this.queueDepth(st.ioClass)).tag("class", tag)
                    .strongReference(true).register(registry);
            Gauge.builder("cacdb.io.in_flight", this, st -> IoScheduler.this.inFlight(st.ioClass)).tag("class", tag)
                    .strongReference(true).register(registry);
            Gauge.builder("cacdb.io.in_flight.limit", this, st -> IoScheduler.this.inFlightLimit(st.ioClass))
                    .tag("class", tag).strongReference(true).register(registry);
            Gauge.builder("cacdb.io.queue.capacity", limits, IoSchedulerConfig.ClassLimits::queueCapacity)
                    .tag("class", tag).strongReference(true).register(registry);
        }
    }
}
