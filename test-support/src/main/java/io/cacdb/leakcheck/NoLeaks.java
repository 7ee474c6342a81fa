package io.cacdb.leakcheck;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty reports a leaked buffer (shared by every module's tests): after each test it forces a GC, makes Netty poll its leak
 * queues, and fails if anything was recorded. Use with {@code @ExtendWith(NoLeaks.class)}.
 *
 * <p>A leak shows up in the first check after the GC that finds it, which is normally the leaking test's own
 * (buffers leaked by a test are unreachable once its method returns). The after-all check catches stragglers.
 */
public final class NoLeaks implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    static {
        LeakRecorder.install();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // Leaks left by an earlier class belong to it, not to this one; that class's after-all already failed.
        LeakRecorder.collect(1);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertNone(LeakRecorder.collect(1), context.getDisplayName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertNone(LeakRecorder.collect(2), context.getDisplayName() + " (after all)");
    }

    private static void assertNone(List<LeakRecorder.Leak> leaks, String where) {
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " Netty leak(s) detected after " + where + ":\n"
                    + leaks.stream().map(LeakRecorder.Leak::toString).collect(Collectors.joining("\n")));
        }
    }
}
