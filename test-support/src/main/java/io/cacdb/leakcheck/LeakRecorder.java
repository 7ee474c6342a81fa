package io.cacdb.leakcheck;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * Turns Netty's leak reports into data a test can assert on. Netty only logs a leak, and only when it happens to
 * poll its reference queue (on a later allocation), so a leaking test would pass. Installing this factory before
 * {@code AbstractByteBuf} is initialised makes every {@link ResourceLeakDetector} a {@link RecordingDetector};
 * {@link #collect(int)} then forces a GC and an allocation so pending reports arrive, and returns them.
 *
 * <p>If Netty's buffer classes were initialised before this class (another test in the same JVM touched a
 * {@code ByteBuf} first), the ByteBuf detector already exists and is not ours: we then attach a
 * {@link ResourceLeakDetector.LeakListener} to it instead, which sees the same reports.
 *
 * <p>Detection needs {@code -Dio.netty.leakDetection.level=paranoid} (set by the parent POM for every test JVM),
 * so every buffer is tracked, not a sample.
 */
public final class LeakRecorder {

    /** One leak report: the resource type and Netty's access records (empty for an untraced leak). */
    public record Leak(String resourceType, String records) {
        @Override
        public String toString() {
            return "LEAK of " + resourceType + (records.isEmpty() ? " (untraced)" : ":" + records);
        }
    }


    /** Bound on waiting for the GC to enqueue our sentinel reference in one round. */
    private static final long SENTINEL_WAIT_MILLIS = 2_000;

    private static final ConcurrentLinkedQueue<Leak> LEAKS = new ConcurrentLinkedQueue<>();
    private static final Set<String> DETECTORS_CREATED = ConcurrentHashMap.newKeySet();
    private static final boolean BYTEBUF_DETECTOR_IS_OURS;

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        // Initialise the ByteBuf detector now (through our factory, unless it already exists).
        UnpooledByteBufAllocator.DEFAULT.heapBuffer(1).release();
        BYTEBUF_DETECTOR_IS_OURS = DETECTORS_CREATED.contains(ByteBuf.class.getSimpleName());
        if (!BYTEBUF_DETECTOR_IS_OURS) {
            attachListenerToExistingByteBufDetector();
        }
    }

    private LeakRecorder() {
    }

    /** Loads this class, which installs the factory. Call as early as possible (the JUnit extension does). */
    public static void install() {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("leak tests need -Dio.netty.leakDetection.level=paranoid, level is "
                    + ResourceLeakDetector.getLevel());
        }
    }

    /** How ByteBuf leaks reach us: through our factory's detector, or a listener on a detector made earlier. */
    public static String byteBufHook() {
        return BYTEBUF_DETECTOR_IS_OURS ? "recording detector from our factory" : "listener on Netty's own detector";
    }

    /**
     * Forces pending leak reports out and returns (and forgets) every leak recorded so far. Each GC round costs
     * ~15 ms; one normally suffices (the sentinel waits for reference processing), a second catches stragglers.
     */
    public static List<Leak> collect(int gcRounds) {
        for (int round = 0; round < gcRounds; round++) {
            gcAndWait();
            // A detector polls its reference queue only when it tracks a new object.
            UnpooledByteBufAllocator.DEFAULT.heapBuffer(1).release();
        }
        List<Leak> out = new ArrayList<>();
        for (Leak leak; (leak = LEAKS.poll()) != null; ) {
            out.add(leak);
        }
        return out;
    }

    /** Removes the recorded leaks matching {@code which}, returning them; for tests that leak on purpose. */
    public static List<Leak> take(Predicate<Leak> which) {
        List<Leak> taken = new ArrayList<>();
        LEAKS.removeIf(leak -> {
            if (which.test(leak)) {
                taken.add(leak);
                return true;
            }
            return false;
        });
        return taken;
    }

    /** Runs one GC and waits (bounded) until the reference handler has enqueued what that GC cleared. */
    public static void gcAndWait() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        System.gc();
        try {
            queue.remove(SENTINEL_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sentinel.clear();
    }

    private static void attachListenerToExistingByteBufDetector() {
        try {
            Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
            field.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            detector.setLeakListener((type, records) -> LEAKS.add(new Leak(type, records)));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot hook Netty's ByteBuf leak detector", e);
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        // The abstract method Netty calls is the deprecated one (maxActive is ignored since 4.1).
        @SuppressWarnings("deprecation")
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                long maxActive) {
            DETECTORS_CREATED.add(resource.getSimpleName());
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    /** Records every report instead of only logging it; logs too, so the records show in the test output. */
    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true; // the default asks whether ERROR logging is on; a test must see leaks regardless
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add(new Leak(resourceType, records));
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add(new Leak(resourceType, ""));
            super.reportUntracedLeak(resourceType);
        }
    }
}
