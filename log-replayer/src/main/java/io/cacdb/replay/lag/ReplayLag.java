package io.cacdb.replay.lag;

/**
 * How far the standby's replay is behind the log.
 *
 * @param replayedLsn end of the last MTR applied
 * @param tailLsn     the end of the log as the tailer last saw it (read, or probed while the window was full)
 * @param bytes       {@code tailLsn - replayedLsn}, never negative
 * @param millis      how long the oldest log bytes the standby has seen but not applied have been known to it (0 when
 *                    everything seen is applied); see {@link LagTracker}
 */
public record ReplayLag(long replayedLsn, long tailLsn, long bytes, long millis) {
}
