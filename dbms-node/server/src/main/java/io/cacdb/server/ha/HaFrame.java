package io.cacdb.server.ha;

import java.util.Objects;

/**
 * The messages of the HA port ({@code docs/failover.md} "HA protocol"): the standby says who it is, the active
 * heartbeats it, the standby answers each heartbeat with its replay status. Framed and checked by {@link HaCodec}.
 */
public sealed interface HaFrame {

    /** Standby → active, first on a connection. */
    record Hello(String node) implements HaFrame {
        public Hello {
            Objects.requireNonNull(node, "node");
        }
    }

    /**
     * Active → standby, every heartbeat interval.
     *
     * @param node          the active's name
     * @param epoch         the epoch it writes at
     * @param leaseSequence the lease sequence it last had acknowledged
     * @param durableLsn    the end of its durable log
     * @param sequence      heartbeat number on this connection, from 1
     */
    record Heartbeat(String node, long epoch, long leaseSequence, long durableLsn, long sequence) implements HaFrame {
        public Heartbeat {
            Objects.requireNonNull(node, "node");
        }
    }

    /**
     * Standby → active, in answer to each heartbeat.
     *
     * @param node              the standby's name
     * @param replayState       its replayer's state ({@code ReplayState} name)
     * @param replayedLsn       end of the last MTR it applied
     * @param retentionFloorLsn log at or above this must be kept for it ({@code Long.MAX_VALUE}: none)
     * @param lagBytes          log seen and not yet applied
     * @param lagMillis         age of the oldest log seen and not yet applied
     * @param unsafePages       replayed pages it may not evict
     * @param pinnedFrames      frames pinned now
     * @param frames            frames in its pool
     */
    record StandbyStatus(String node, String replayState, long replayedLsn, long retentionFloorLsn, long lagBytes,
                         long lagMillis, int unsafePages, int pinnedFrames, int frames) implements HaFrame {
        public StandbyStatus {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(replayState, "replayState");
        }

        /** Share of the standby's pool that is unsafe or pinned, 0..1 (the pressure the active's flusher may use). */
        public double pressure() {
            return frames == 0 ? 0 : Math.min(1.0, (unsafePages + (double) pinnedFrames) / frames);
        }
    }
}
