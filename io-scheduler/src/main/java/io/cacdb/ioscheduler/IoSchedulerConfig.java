package io.cacdb.ioscheduler;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Limits of an {@link IoScheduler}, validated on construction: every relation between them is checked here so a bad
 * configuration fails at start-up, not under load.
 *
 * @param globalInFlightMax     IOs in flight across all classes; bounds the load one node puts on the DAX tier and
 *                              the memory held by in-flight buffers
 * @param logWriteReservedSlots global slots only {@link IoClass#LOG_WRITE} may use, so reads and flushes that saturate
 *                              the cap can never delay a commit; the other classes together get
 *                              {@code globalInFlightMax - logWriteReservedSlots}
 * @param agingPassesMax        how many times queued work of a class that could have started may be passed over in
 *                              favour of a higher class before it gets the next slot anyway; bounds starvation
 * @param classes               limits per class; every class must be present
 */
public record IoSchedulerConfig(int globalInFlightMax, int logWriteReservedSlots, int agingPassesMax,
                                Map<IoClass, ClassLimits> classes) {

    /**
     * 128 IOs in flight: DAX reads and writes are network round trips of ~0.1-1 ms, so 128 in flight keeps a few
     * servers busy without letting one node flood them.
     */
    public static final int DEFAULT_GLOBAL_IN_FLIGHT_MAX = 128;

    /** 8 reserved slots: group commit keeps only a few log block writes in flight, so 8 always covers it. */
    public static final int DEFAULT_LOG_WRITE_RESERVED_SLOTS = 8;

    /** After 8 pass-overs a waiting class gets a slot: lower classes get at least 1 of every 9 contended starts. */
    public static final int DEFAULT_AGING_PASSES_MAX = 8;

    /**
     * Limits of one class.
     *
     * @param inFlightMax     in-flight limit at start
     * @param inFlightCeiling the highest in-flight limit {@link IoScheduler#setInFlightLimit} may set at runtime
     * @param queueCapacity   IOs that may wait; one more is rejected with {@link IoQueueFullException}
     */
    public record ClassLimits(int inFlightMax, int inFlightCeiling, int queueCapacity) {
        public ClassLimits {
            if (inFlightMax < 1) {
                throw new IllegalArgumentException("inFlightMax must be >= 1, was " + inFlightMax);
            }
            if (inFlightCeiling < inFlightMax) {
                throw new IllegalArgumentException("inFlightCeiling " + inFlightCeiling + " must be >= inFlightMax "
                        + inFlightMax);
            }
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("queueCapacity must be >= 1, was " + queueCapacity);
            }
        }
    }

    public IoSchedulerConfig {
        Objects.requireNonNull(classes, "classes");
        EnumMap<IoClass, ClassLimits> copy = new EnumMap<>(IoClass.class);
        copy.putAll(classes);
        for (IoClass c : IoClass.values()) {
            if (copy.get(c) == null) {
                throw new IllegalArgumentException("no limits configured for IO class " + c);
            }
        }
        classes = Map.copyOf(copy);
        if (globalInFlightMax < 2) {
            throw new IllegalArgumentException("globalInFlightMax must be >= 2 (one reserved log slot plus one other),"
                    + " was " + globalInFlightMax);
        }
        if (logWriteReservedSlots < 1 || logWriteReservedSlots >= globalInFlightMax) {
            throw new IllegalArgumentException("logWriteReservedSlots must be in [1, globalInFlightMax " + globalInFlightMax
                    + "), was " + logWriteReservedSlots);
        }
        ClassLimits log = copy.get(IoClass.LOG_WRITE);
        if (log.inFlightMax() < logWriteReservedSlots) {
            throw new IllegalArgumentException("LOG_WRITE inFlightMax " + log.inFlightMax()
                    + " must be >= logWriteReservedSlots " + logWriteReservedSlots + " or the reserve is unusable");
        }
        // LOG_WRITE is never passed over; its own limit staying below the global cap is what leaves room for the rest.
        if (log.inFlightCeiling() >= globalInFlightMax) {
            throw new IllegalArgumentException("LOG_WRITE inFlightCeiling " + log.inFlightCeiling()
                    + " must be < globalInFlightMax " + globalInFlightMax + " so other classes are never starved");
        }
        int othersMax = globalInFlightMax - logWriteReservedSlots;
        for (IoClass c : IoClass.values()) {
            if (c != IoClass.LOG_WRITE && copy.get(c).inFlightCeiling() > othersMax) {
                throw new IllegalArgumentException(c + " inFlightCeiling " + copy.get(c).inFlightCeiling()
                        + " exceeds the non-reserved global slots " + othersMax + " (globalInFlightMax "
                        + globalInFlightMax + " - logWriteReservedSlots " + logWriteReservedSlots + ")");
            }
        }
        if (agingPassesMax < 1) {
            throw new IllegalArgumentException("agingPassesMax must be >= 1, was " + agingPassesMax);
        }
    }

    public ClassLimits limits(IoClass ioClass) {
        return classes.get(ioClass);
    }

    /** Production defaults; each number is explained where it is defined. */
    public static IoSchedulerConfig defaults() {
        EnumMap<IoClass, ClassLimits> m = new EnumMap<>(IoClass.class);
        // Group commit: a few log blocks in flight at once are enough; 32 leaves room for a burst of partial blocks.
        m.put(IoClass.LOG_WRITE, new ClassLimits(16, 32, 1024));
        // Foreground misses: one per waiting session; a deep queue absorbs a scan's burst.
        m.put(IoClass.PAGE_READ, new ClassLimits(32, 64, 4096));
        // Replay prefetch starts modest and rises with lag up to all non-reserved slots (CAC-DB "extra read IO").
        m.put(IoClass.REPLAY_READ, new ClassLimits(16, DEFAULT_GLOBAL_IN_FLIGHT_MAX - DEFAULT_LOG_WRITE_RESERVED_SLOTS,
                4096));
        // Background flushing must not crowd out reads; the flusher keeps its own batches below the queue capacity.
        m.put(IoClass.PAGE_WRITE, new ClassLimits(16, 64, 1024));
        return new IoSchedulerConfig(DEFAULT_GLOBAL_IN_FLIGHT_MAX, DEFAULT_LOG_WRITE_RESERVED_SLOTS,
                DEFAULT_AGING_PASSES_MAX, m);
    }

    /** A copy with one class's limits replaced. */
    public IoSchedulerConfig with(IoClass ioClass, ClassLimits limits) {
        EnumMap<IoClass, ClassLimits> m = new EnumMap<>(classes);
        m.put(ioClass, limits);
        return new IoSchedulerConfig(globalInFlightMax, logWriteReservedSlots, agingPassesMax, m);
    }
}
