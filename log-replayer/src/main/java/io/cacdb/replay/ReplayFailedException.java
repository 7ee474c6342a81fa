package io.cacdb.replay;

/**
 * The replayer stopped on an error (the cause): a log that failed validation repeatedly, the log it needs truncated
 * away under a policy that does not jump, a diverged log, or an invariant failure. The standby cannot take over from
 * this state: close it and re-seed (start a new replayer from the latest checkpoint).
 */
public final class ReplayFailedException extends RuntimeException {

    public ReplayFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
