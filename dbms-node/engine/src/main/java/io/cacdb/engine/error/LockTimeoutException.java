package io.cacdb.engine.error;

import java.time.Duration;
import java.util.Objects;

/**
 * A lock was not granted within the lock wait timeout, or at once for a no-wait request (SQLSTATE 55P03,
 * lock_not_available). The request was withdrawn; locks already held stay. The caller should <b>roll back and retry
 * the transaction</b>; if it keeps happening, the holders named in the message run too long.
 */
public final class LockTimeoutException extends EngineException {

    private final long txnId;
    private final Duration waited;

    /**
     * @param txnId       the transaction whose request timed out
     * @param what        the mode and resource requested, as text
     * @param waited      how long it waited (zero for a no-wait request)
     * @param blockerText who held or waited ahead when it gave up, as text
     */
    public LockTimeoutException(long txnId, String what, Duration waited, String blockerText) {
        super(SqlState.LOCK_NOT_AVAILABLE, CallerAction.RETRY_TRANSACTION,
                "transaction " + txnId + " could not obtain " + what + " within " + waited.toMillis()
                        + " ms; blocked by " + blockerText);
        this.txnId = txnId;
        this.waited = Objects.requireNonNull(waited, "waited");
    }

    public long txnId() {
        return txnId;
    }

    public Duration waited() {
        return waited;
    }
}
