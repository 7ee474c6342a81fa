package io.cacdb.tpcc.txn;

import io.cacdb.tpcc.connect.SqlErrors;
import io.cacdb.tpcc.random.TpccRandom;
import io.cacdb.tpcc.schema.TpccSchema;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Timestamp;

/**
 * Delivery (spec §2.7), the batch variant: all ten districts of the home warehouse in one database transaction, run
 * by the terminal itself (not queued to a deferred executor). Per district: the oldest NEW-ORDER row is deleted, its
 * ORDER gets the carrier, its lines get OL_DELIVERY_D = now, and the customer's balance grows by the lines' total
 * (C_DELIVERY_CNT + 1). A district without undelivered orders is skipped and counted.
 *
 * <p>If the DELETE finds the row gone (a concurrent Delivery of the same warehouse took it first, which READ
 * COMMITTED allows), the transaction fails with 40001 and the terminal retries it, as under SERIALIZABLE.
 */
public final class Delivery {

    /** @param w home warehouse; @param carrierId O_CARRIER_ID, 1..10 */
    public record Input(int w, int carrierId) {
    }

    public static Input generate(TpccRandom r, TerminalHome home) {
        return new Input(home.warehouse(), r.uniform(1, 10));
    }

    static final String OLDEST_NEW_ORDER = "SELECT no_o_id FROM new_order WHERE no_w_id = ? AND no_d_id = ? "
            + "ORDER BY no_o_id ASC LIMIT 1";
    static final String DELETE_NEW_ORDER = "DELETE FROM new_order WHERE no_w_id = ? AND no_d_id = ? AND no_o_id = ?";
    static final String ORDER_CUSTOMER = "SELECT o_c_id FROM oorder WHERE o_w_id = ? AND o_d_id = ? AND o_id = ?";
    static final String SET_CARRIER = "UPDATE oorder SET o_carrier_id = ? WHERE o_w_id = ? AND o_d_id = ? AND o_id = ?";
    static final String DELIVER_LINES = "UPDATE order_line SET ol_delivery_d = ? "
            + "WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id = ?";
    static final String LINES_TOTAL = "SELECT SUM(ol_amount) AS ol_total FROM order_line "
            + "WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id = ?";
    static final String UPDATE_CUSTOMER = "UPDATE customer SET c_balance = c_balance + ?, "
            + "c_delivery_cnt = c_delivery_cnt + 1 WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?";

    public static TxnResult execute(StatementCache sc, Input in, Timestamp now) throws SQLException {
        int skipped = 0;
        for (int d = 1; d <= TpccSchema.DISTRICTS_PER_WAREHOUSE; d++) {
            PreparedStatement ps = sc.get(OLDEST_NEW_ORDER);
            ps.setInt(1, in.w());
            ps.setInt(2, d);
            int oId;
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    skipped++;
                    continue;
                }
                oId = rs.getInt(1);
            }
            ps = sc.get(DELETE_NEW_ORDER);
            ps.setInt(1, in.w());
            ps.setInt(2, d);
            ps.setInt(3, oId);
            if (ps.executeUpdate() != 1) {
                throw new SQLTransactionRollbackException("delivery: new-order " + in.w() + "/" + d + "/" + oId
                        + " was taken by a concurrent delivery", SqlErrors.SERIALIZATION_FAILURE);
            }
            ps = sc.get(ORDER_CUSTOMER);
            ps.setInt(1, in.w());
            ps.setInt(2, d);
            ps.setInt(3, oId);
            int cId;
            try (ResultSet rs = ps.executeQuery()) {
                cId = NewOrder.single(rs, "order " + in.w() + "/" + d + "/" + oId).getInt(1);
            }
            ps = sc.get(SET_CARRIER);
            ps.setInt(1, in.carrierId());
            ps.setInt(2, in.w());
            ps.setInt(3, d);
            ps.setInt(4, oId);
            NewOrder.expectOne(ps.executeUpdate(), "order carrier update");
            ps = sc.get(DELIVER_LINES);
            ps.setTimestamp(1, now);
            ps.setInt(2, in.w());
            ps.setInt(3, d);
            ps.setInt(4, oId);
            if (ps.executeUpdate() < 1) {
                throw new SQLException("order " + in.w() + "/" + d + "/" + oId + " has no order lines");
            }
            ps = sc.get(LINES_TOTAL);
            ps.setInt(1, in.w());
            ps.setInt(2, d);
            ps.setInt(3, oId);
            BigDecimal total;
            try (ResultSet rs = ps.executeQuery()) {
                total = NewOrder.single(rs, "order-line total").getBigDecimal(1);
            }
            ps = sc.get(UPDATE_CUSTOMER);
            ps.setBigDecimal(1, total);
            ps.setInt(2, in.w());
            ps.setInt(3, d);
            ps.setInt(4, cId);
            NewOrder.expectOne(ps.executeUpdate(), "customer delivery update");
        }
        return TxnResult.delivery(skipped);
    }

    private Delivery() {
    }
}
