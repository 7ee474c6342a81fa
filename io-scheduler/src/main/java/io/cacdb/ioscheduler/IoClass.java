package io.cacdb.ioscheduler;

/**
 * What an IO is for. Declaration order is priority order: when a slot frees, queued work of an earlier class starts
 * before queued work of a later one (subject to the anti-starvation rule in {@link IoScheduler}).
 */
public enum IoClass {
    /** Log block writes: the commit path. Always first, and has reserved global slots. */
    LOG_WRITE("log_write"),
    /** Foreground buffer-pool misses: a session is waiting. */
    PAGE_READ("page_read"),
    /** The standby's replay prefetching; its in-flight limit is raised and lowered at runtime with the lag. */
    REPLAY_READ("replay_read"),
    /** The background flusher's page writes. */
    PAGE_WRITE("page_write");

    private final String tagValue;

    IoClass(String tagValue) {
        this.tagValue = tagValue;
    }

    /** The value of the {@code class} tag on this class's metrics. */
    public String tagValue() {
        return tagValue;
    }
}
