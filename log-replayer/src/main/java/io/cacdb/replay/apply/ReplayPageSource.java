package io.cacdb.replay.apply;

import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.PageRef;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.replay.safety.UnsafePages;
import java.util.Objects;

/**
 * The page source the standby's {@code Redo} runs on: the standby's pool, with every page change reported to
 * {@link UnsafePages} as it is stamped (so a page replay changed is unsafe before its latch is even released, and
 * while it is still pinned, hence before anyone could evict it). Thread-safe as the pool is.
 */
final class ReplayPageSource implements PageSource {

    private final PageSource pool;
    private final UnsafePages unsafe;

    ReplayPageSource(PageSource pool, UnsafePages unsafe) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.unsafe = Objects.requireNonNull(unsafe, "unsafe");
    }

    @Override
    public PageRef fix(long pageNo, LatchMode mode) {
        return new Tracked(pool.fix(pageNo, mode));
    }

    @Override
    public PageRef fixNew(long pageNo) {
        return new Tracked(pool.fixNew(pageNo));
    }

    @Override
    public PageRef fixForRedoInit(long pageNo) {
        return new Tracked(pool.fixForRedoInit(pageNo));
    }

    private final class Tracked implements PageRef {
        private final PageRef ref;

        Tracked(PageRef ref) {
            this.ref = ref;
        }

        @Override
        public long pageNo() {
            return ref.pageNo();
        }

        @Override
        public LatchMode mode() {
            return ref.mode();
        }

        @Override
        public byte[] bytes() {
            return ref.bytes();
        }

        @Override
        public void markChanged(long startLsn, long endLsn) {
            unsafe.replayed(ref.pageNo(), endLsn);
            ref.markChanged(startLsn, endLsn);
        }

        @Override
        public void release() {
            ref.release();
        }
    }
}
