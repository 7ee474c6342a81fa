package io.cacdb.replay.safety;

/**
 * Told when the standby's buffer-pool pressure changes noticeably (by at least
 * {@code StandbyReplayer.PRESSURE_REPORT_STEP}) or at least every report interval. The HA channel implements it to
 * carry the value to the active. Called on the replayer's apply thread: must be fast and must not block.
 */
@FunctionalInterface
public interface PressureListener {

    void pressureChanged(BufferPoolPressure pressure);
}
