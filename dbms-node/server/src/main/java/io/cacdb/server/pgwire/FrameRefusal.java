package io.cacdb.server.pgwire;

import io.cacdb.server.session.SqlState;

/**
 * What {@link PgFrameDecoder} emits, in stream order, instead of a frame when the byte stream cannot be split any
 * more (bad length, unknown type, a second CancelRequest...). The connection answers with a FATAL error and closes;
 * the decoder discards every later byte.
 */
public record FrameRefusal(SqlState sqlState, String message) {
}
