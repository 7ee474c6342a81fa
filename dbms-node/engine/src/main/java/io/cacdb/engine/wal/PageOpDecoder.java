package io.cacdb.engine.wal;

import io.cacdb.engine.page.PageOp;
import java.nio.ByteBuffer;

/**
 * Turns the op code and body of a {@code PageRedo} record back into a {@link PageOp}. The engine passes
 * {@code PageOps::decode}; WAL tests pass their own. The body buffer holds exactly the op's bytes; an implementation
 * throws {@link IllegalArgumentException} for an unknown code or a malformed body, which the codec reports as a
 * corrupt record.
 */
@FunctionalInterface
public interface PageOpDecoder {

    PageOp decode(byte code, ByteBuffer body);
}
