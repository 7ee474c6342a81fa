package io.cacdb.engine.page;

import java.nio.ByteBuffer;

/**
 * One physiological change to one page: the unit of redo. Applying the same op to the same page image always
 * yields the same bytes (deterministic, including any compaction it triggers), which is what lets crash recovery,
 * the standby's replay and takeover share one redo path. Ops never change the pageLSN: the mini-transaction that
 * applies them sets it.
 *
 * <p>Implementations are immutable values; {@link PageOps#decode} reads what {@link #encode} wrote.
 */
public interface PageOp {

    /** Stable code of the op kind in the log (see {@code docs/wal-format.md}). */
    byte code();

    /** Applies the change to a page image. Throws {@link IllegalStateException} if the page cannot take it. */
    void apply(byte[] page);

    /** Bytes {@link #encode} writes (without the code byte, which the log record carries). */
    int encodedSize();

    void encode(ByteBuffer out);
}
