package io.cacdb.engine.mtr;

import io.cacdb.engine.page.PageFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link PageSource} over an in-memory map, for tests: every page is always resident, with a real read-write latch
 * and a pin count per frame, and markChanged enforcing the pageLSN rule. Pages never fixed read as zeroes (FREE).
 * Thread-safe.
 */
public final class MapPageSource implements PageSource {

    private static final class Frame {
        final byte[] bytes = new byte[PageFormat.PAGE_SIZE_BYTES];
        final ReentrantReadWriteLock latch = new ReentrantReadWriteLock();
        final AtomicInteger pins = new AtomicInteger();
        volatile long recLsn;
    }

    private final ConcurrentHashMap<Long, Frame> frames = new ConcurrentHashMap<>();

    public MapPageSource() {
    }

    /** A source holding copies of {@code pages} (e.g. pages rebuilt by replay). */
    public MapPageSource(Map<Long, byte[]> pages) {
        for (Map.Entry<Long, byte[]> e : pages.entrySet()) {
            Frame f = new Frame();
            System.arraycopy(e.getValue(), 0, f.bytes, 0, PageFormat.PAGE_SIZE_BYTES);
            frames.put(e.getKey(), f);
        }
    }

    @Override
    public PageRef fix(long pageNo, LatchMode mode) {
        Frame f = frames.computeIfAbsent(pageNo, n -> new Frame());
        f.pins.incrementAndGet();
        if (mode == LatchMode.EXCLUSIVE) {
            f.latch.writeLock().lock();
        } else {
            f.latch.readLock().lock();
        }
        return new Ref(pageNo, mode, f);
    }

    @Override
    public PageRef fixNew(long pageNo) {
        PageRef ref = fix(pageNo, LatchMode.EXCLUSIVE);
        java.util.Arrays.fill(ref.bytes(), (byte) 0);
        frames.get(pageNo).recLsn = 0;
        return ref;
    }

    /** Pages currently pinned by someone (0 when every operation released what it fixed). */
    public int pinnedPages() {
        int n = 0;
        for (Frame f : frames.values()) {
            if (f.pins.get() != 0) {
                n++;
            }
        }
        return n;
    }

    /** Copies of all pages, each read under its SHARED latch, ordered by page number. */
    public Map<Long, byte[]> snapshot() {
        Map<Long, byte[]> out = new TreeMap<>();
        for (Map.Entry<Long, Frame> e : frames.entrySet()) {
            Frame f = e.getValue();
            f.latch.readLock().lock();
            try {
                out.put(e.getKey(), f.bytes.clone());
            } finally {
                f.latch.readLock().unlock();
            }
        }
        return out;
    }

    private static final class Ref implements PageRef {
        private final long pageNo;
        private final LatchMode mode;
        private final Frame frame;
        private final AtomicBoolean released = new AtomicBoolean();

        Ref(long pageNo, LatchMode mode, Frame frame) {
            this.pageNo = pageNo;
            this.mode = mode;
            this.frame = frame;
        }

        @Override
        public long pageNo() {
            return pageNo;
        }

        @Override
        public LatchMode mode() {
            return mode;
        }

        @Override
        public byte[] bytes() {
            if (released.get()) {
                throw new IllegalStateException("page " + pageNo + " used after release");
            }
            return frame.bytes;
        }

        @Override
        public void markChanged(long startLsn, long endLsn) {
            if (mode != LatchMode.EXCLUSIVE || !frame.latch.isWriteLockedByCurrentThread()) {
                throw new IllegalStateException("markChanged on page " + pageNo + " without its EXCLUSIVE latch");
            }
            PageFormat.setPageLsn(frame.bytes, endLsn);
            if (frame.recLsn == 0) {
                frame.recLsn = startLsn;
            }
        }

        @Override
        public void release() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            if (mode == LatchMode.EXCLUSIVE) {
                frame.latch.writeLock().unlock();
            } else {
                frame.latch.readLock().unlock();
            }
            int pins = frame.pins.decrementAndGet();
            if (pins < 0) {
                throw new IllegalStateException("page " + pageNo + " pin count went negative: " + pins);
            }
        }
    }
}
