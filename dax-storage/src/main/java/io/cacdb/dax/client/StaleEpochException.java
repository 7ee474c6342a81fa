package io.cacdb.dax.client;

/**
 * The volume has been fenced to a higher epoch than this writer's: this writer is deposed. Final: stop writing to
 * the volume (an active node must stop serving); do not retry.
 */
public final class StaleEpochException extends DaxException {

    private final long volume;
    private final long writerEpoch;
    private final long currentEpoch;

    public StaleEpochException(long volume, long writerEpoch, long currentEpoch, String serverId) {
        super("volume " + volume + " is fenced at epoch " + currentEpoch + " (reported by " + serverId
                + "), above this writer's epoch " + writerEpoch + ": this writer is deposed and must stop");
        this.volume = volume;
        this.writerEpoch = writerEpoch;
        this.currentEpoch = currentEpoch;
    }

    public long volume() {
        return volume;
    }

    public long writerEpoch() {
        return writerEpoch;
    }

    public long currentEpoch() {
        return currentEpoch;
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
