package io.cacdb.replay.policy;

import java.util.function.LongSupplier;

/**
 * The lowest LSN the active must keep in the log for this standby ({@code active-wait}, and {@code increase-read-io}
 * as its backstop): the standby's replayed LSN, an MTR boundary; {@link Long#MAX_VALUE} when the standby asks for
 * nothing ({@code unsafe-eviction}). Today the active's {@code Engine.open(..., retentionFloorLsn)} takes
 * {@link #asSupplier()} directly (tests, one process); the HA channel will carry the same value to a remote active.
 * Never goes back while a standby runs. Thread-safe.
 */
@FunctionalInterface
public interface RetentionFloor {

    long retentionFloorLsn();

    default LongSupplier asSupplier() {
        return this::retentionFloorLsn;
    }
}
