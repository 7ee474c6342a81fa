package io.cacdb.engine.checkpoint;

/**
 * A checkpoint or watermark round did not complete: the log did not become durable, META could not be written, or
 * truncation failed, within the configured bound. An operating error: the previous checkpoint stays in force (the
 * META pointer only names durable checkpoint records), so nothing is lost; recovery merely starts earlier. The
 * background checkpointer retries on its next round; a caller of {@link Checkpointer#checkpoint()} may retry.
 */
public final class CheckpointException extends RuntimeException {

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
