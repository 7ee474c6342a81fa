package io.cacdb.tpcc.txn;

/**
 * What a transaction's body decided, before the terminal ends it: commit, or roll back on purpose (the 1% of
 * New-Orders with an unused item). The terminal sends COMMIT or ROLLBACK; a New-Order counts as acknowledged only
 * once COMMIT returned.
 *
 * @param commit           true to commit, false for the intended rollback
 * @param warehouse        New-Order: the order's W_ID (0 otherwise)
 * @param district         New-Order: D_ID
 * @param orderId          New-Order: the O_ID it took from D_NEXT_O_ID
 * @param orderLines       New-Order: O_OL_CNT
 * @param skippedDistricts Delivery: districts with no undelivered order (spec §2.7.4.2 asks to report them)
 */
public record TxnResult(boolean commit, int warehouse, int district, int orderId, int orderLines,
        int skippedDistricts) {

    public static final TxnResult COMMIT = new TxnResult(true, 0, 0, 0, 0, 0);
    public static final TxnResult USER_ROLLBACK = new TxnResult(false, 0, 0, 0, 0, 0);

    public static TxnResult newOrder(int w, int d, int oId, int olCnt) {
        return new TxnResult(true, w, d, oId, olCnt, 0);
    }

    public static TxnResult delivery(int skippedDistricts) {
        return new TxnResult(true, 0, 0, 0, 0, skippedDistricts);
    }

    public boolean isNewOrder() {
        return orderId > 0;
    }
}
