package io.cacdb.tpcc.txn;

import io.cacdb.tpcc.random.TpccRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Order-Status (spec §2.6, read-only): a customer of the home warehouse and a random district — by last name 60% of
 * the time — their balance, their latest order (largest O_ID) and its lines.
 */
public final class OrderStatus {

    /**
     * @param w     home warehouse
     * @param d     district
     * @param cId   customer id when {@code cLast} is null
     * @param cLast last name, or null to select by id
     */
    public record Input(int w, int d, int cId, String cLast) {
        public boolean byName() {
            return cLast != null;
        }
    }

    public static Input generate(TpccRandom r, TerminalHome home) {
        int d = home.randomDistrict(r);
        boolean byName = r.uniform(1, 100) <= Payment.BY_NAME_PERCENT;
        return new Input(home.warehouse(), d, byName ? 0 : home.customerId(r),
                byName ? home.customerLastName(r) : null);
    }

    static final String CUSTOMER_BY_ID = "SELECT c_id, c_balance, c_first, c_middle, c_last FROM customer "
            + "WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?";
    static final String CUSTOMERS_BY_NAME = "SELECT c_id, c_balance, c_first, c_middle, c_last FROM customer "
            + "WHERE c_w_id = ? AND c_d_id = ? AND c_last = ? ORDER BY c_first";
    static final String LATEST_ORDER = "SELECT o_id, o_carrier_id, o_entry_d FROM oorder "
            + "WHERE o_w_id = ? AND o_d_id = ? AND o_c_id = ? ORDER BY o_id DESC LIMIT 1";
    static final String ORDER_LINES = "SELECT ol_i_id, ol_supply_w_id, ol_quantity, ol_amount, ol_delivery_d "
            + "FROM order_line WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id = ?";

    public static TxnResult execute(StatementCache sc, Input in) throws SQLException {
        int cId;
        PreparedStatement ps;
        if (in.byName()) {
            ps = sc.get(CUSTOMERS_BY_NAME);
            ps.setInt(1, in.w());
            ps.setInt(2, in.d());
            ps.setString(3, in.cLast());
            cId = Customers.middle(ps, 1, 0, "customer " + in.w() + "/" + in.d() + " named " + in.cLast()).id();
        } else {
            ps = sc.get(CUSTOMER_BY_ID);
            ps.setInt(1, in.w());
            ps.setInt(2, in.d());
            ps.setInt(3, in.cId());
            try (ResultSet rs = ps.executeQuery()) {
                cId = NewOrder.single(rs, "customer " + in.w() + "/" + in.d() + "/" + in.cId()).getInt(1);
                rs.getBigDecimal(2);
            }
        }
        ps = sc.get(LATEST_ORDER);
        ps.setInt(1, in.w());
        ps.setInt(2, in.d());
        ps.setInt(3, cId);
        int oId;
        try (ResultSet rs = ps.executeQuery()) {
            // Every customer has an order from the load (O_C_ID is a permutation), so none means lost rows.
            oId = NewOrder.single(rs, "latest order of customer " + in.w() + "/" + in.d() + "/" + cId).getInt(1);
        }
        ps = sc.get(ORDER_LINES);
        ps.setInt(1, in.w());
        ps.setInt(2, in.d());
        ps.setInt(3, oId);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rs.getInt(1);
                rs.getTimestamp(5);
            }
        }
        return TxnResult.COMMIT;
    }

    private OrderStatus() {
    }
}
