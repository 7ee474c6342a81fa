package io.cacdb.tpcc.txn;

import io.cacdb.tpcc.random.TpccRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Stock-Level (spec §2.8, read-only): of the items on the lines of the terminal's district's last 20 orders, how
 * many distinct ones have S_QUANTITY below a threshold (10..20) in the home warehouse. The district is fixed per
 * terminal. Uses BenchBase's two-table comma join with COUNT(DISTINCT).
 */
public final class StockLevel {

    /** Orders looked back at (§2.8.2.2). */
    public static final int RECENT_ORDERS = 20;

    /** @param w home warehouse; @param d the terminal's district; @param threshold 10..20 */
    public record Input(int w, int d, int threshold) {
    }

    public static Input generate(TpccRandom r, TerminalHome home) {
        return new Input(home.warehouse(), home.stockLevelDistrict(), r.uniform(10, 20));
    }

    static final String NEXT_ORDER = "SELECT d_next_o_id FROM district WHERE d_w_id = ? AND d_id = ?";
    static final String LOW_STOCK = "SELECT COUNT(DISTINCT (s_i_id)) AS stock_count FROM order_line, stock "
            + "WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id < ? AND ol_o_id >= ? "
            + "AND s_w_id = ? AND s_i_id = ol_i_id AND s_quantity < ?";

    public static TxnResult execute(StatementCache sc, Input in) throws SQLException {
        PreparedStatement ps = sc.get(NEXT_ORDER);
        ps.setInt(1, in.w());
        ps.setInt(2, in.d());
        int next;
        try (ResultSet rs = ps.executeQuery()) {
            next = NewOrder.single(rs, "district " + in.w() + "/" + in.d()).getInt(1);
        }
        ps = sc.get(LOW_STOCK);
        ps.setInt(1, in.w());
        ps.setInt(2, in.d());
        ps.setInt(3, next);
        ps.setInt(4, next - RECENT_ORDERS);
        ps.setInt(5, in.w());
        ps.setInt(6, in.threshold());
        try (ResultSet rs = ps.executeQuery()) {
            NewOrder.single(rs, "stock count").getInt(1);
        }
        return TxnResult.COMMIT;
    }

    private StockLevel() {
    }
}
