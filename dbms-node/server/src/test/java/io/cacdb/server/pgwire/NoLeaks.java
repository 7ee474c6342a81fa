package io.cacdb.server.pgwire;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty reports a leaked ByteBuf: a minimal equivalent of dax-storage's {@code NoLeaks}/{@code
 * LeakRecorder} (test code cannot be shared across modules without a test-jar, and copying it is not allowed). It
 * attaches a leak listener to Netty's ByteBuf leak detector and, after each test, forces a GC, waits for reference
 * processing and allocates once so the detector polls its queue. Needs {@code -Dio.netty.leakDetection.level=paranoid}
 * (the parent POM sets it for every test JVM).
 */
public final class NoLeaks implements BeforeAllCallback, AfterEachCallback {

    /** Bound on waiting for the GC to enqueue the sentinel reference. */
    private static final long SENTINEL_WAIT_MILLIS = 2_000;

    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("leak tests need -Dio.netty.leakDetection.level=paranoid, level is "
                    + ResourceLeakDetector.getLevel());
        }
        UnpooledByteBufAllocator.DEFAULT.heapBuffer(1).release(); // initialises AbstractByteBuf's detector
        try {
            Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
            field.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            detector.setLeakListener((type, records) -> LEAKS.add(type + ":" + records));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot hook Netty's ByteBuf leak detector", e);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        collect(); // leaks of an earlier class belong to it
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> leaks = collect();
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " Netty leak(s) after " + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    static List<String> collect() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        System.gc();
        try {
            queue.remove(SENTINEL_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sentinel.clear();
        UnpooledByteBufAllocator.DEFAULT.heapBuffer(1).release(); // the detector polls on allocation
        List<String> out = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; ) {
            out.add(leak);
        }
        return out;
    }
}
