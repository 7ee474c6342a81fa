package io.cacdb.replay.safety;

/**
 * How full the standby's pool is of frames it cannot free: pages it may not evict (unsafe) and frames pinned. The
 * active's flusher will take it into account (DESIGN §6) — a standby near 1.0 waits for flush watermarks before it
 * can replay further — once the HA channel carries it; today it is a value and a listener.
 *
 * @param unsafePages  replayed pages above the flush watermark
 * @param pinnedFrames frames pinned now (being read, applied, or read by a caller)
 * @param frames       the pool's size
 * @param fraction     {@code min(1, (unsafePages + pinnedFrames) / frames)}; the two may overlap, so it is an upper
 *                     bound of the share of frames that cannot be reused now
 */
public record BufferPoolPressure(int unsafePages, int pinnedFrames, int frames, double fraction) {

    public static BufferPoolPressure of(int unsafePages, int pinnedFrames, int frames) {
        if (frames < 1 || unsafePages < 0 || pinnedFrames < 0) {
            throw new IllegalArgumentException("bad pressure: unsafe " + unsafePages + ", pinned " + pinnedFrames
                    + ", frames " + frames);
        }
        return new BufferPoolPressure(unsafePages, pinnedFrames, frames,
                Math.min(1.0, (double) (unsafePages + pinnedFrames) / frames));
    }
}
