package io.cacdb.dax.client;

import java.util.Map;
import java.util.TreeMap;

/**
 * Too few replicas answered successfully for an operation to reach its quorum. The outcome of a write that failed
 * this way is unknown (it may be on some replicas); the caller may retry the same write later (writes are
 * idempotent) or treat the storage tier as unavailable.
 */
public final class QuorumNotReachedException extends DaxException {

    private final String operation;
    private final String target;
    private final int needed;
    private final int got;
    private final Map<String, String> failures;

    public QuorumNotReachedException(String operation, String target, int needed, int got,
            Map<String, String> failures) {
        super(operation + " " + target + ": quorum not reached, needed " + needed + " got " + got
                + "; failed replicas " + new TreeMap<>(failures));
        this.operation = operation;
        this.target = target;
        this.needed = needed;
        this.got = got;
        this.failures = Map.copyOf(failures);
    }

    public String operation() {
        return operation;
    }

    /** The block address or volume the operation was about. */
    public String target() {
        return target;
    }

    public int needed() {
        return needed;
    }

    public int got() {
        return got;
    }

    /** Server id → why that replica failed. */
    public Map<String, String> failures() {
        return failures;
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
