package io.cacdb.tpcc.txn;

import io.cacdb.tpcc.random.TpccRandom;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;

/**
 * Payment (spec §2.5): W_YTD and D_YTD grow by the amount; the customer — in the home district 85% of the time, else
 * in a random district of another warehouse; by last name 60% of the time, else by id — pays: C_BALANCE −= amount,
 * C_YTD_PAYMENT += amount, C_PAYMENT_CNT += 1, and for bad credit ("BC") the payment's ids and amount go in front
 * of C_DATA (kept to 500 characters). A HISTORY row records it with H_DATA = W_NAME + 4 spaces + D_NAME.
 *
 * <p>Balances are updated with {@code col = col ± ?}, and C_DATA is read under a row lock before it is rewritten,
 * so the transaction is also correct below SERIALIZABLE.
 */
public final class Payment {

    /** Share of payments by a customer of another warehouse, in percent (§2.5.1.2). */
    public static final int REMOTE_PERCENT = 15;
    /** Share of customers selected by last name, in percent (§2.5.1.2, §2.6.1.2). */
    public static final int BY_NAME_PERCENT = 60;
    /** C_DATA is varchar(500). */
    public static final int C_DATA_MAX_CHARS = 500;

    /**
     * @param w      home warehouse (the one paid to)
     * @param d      home district
     * @param cW     the customer's warehouse
     * @param cD     the customer's district
     * @param cId    the customer id when {@code cLast} is null
     * @param cLast  the customer's last name, or null to select by id
     * @param amount H_AMOUNT, 1.00..5,000.00
     */
    public record Input(int w, int d, int cW, int cD, int cId, String cLast, BigDecimal amount) {
        public boolean byName() {
            return cLast != null;
        }
    }

    public static Input generate(TpccRandom r, TerminalHome home) {
        int d = home.randomDistrict(r);
        int cW = home.warehouse();
        int cD = d;
        if (home.warehouses() > 1 && r.uniform(1, 100) > 100 - REMOTE_PERCENT) {
            cW = home.otherWarehouse(r);
            cD = home.randomDistrict(r);
        }
        boolean byName = r.uniform(1, 100) <= BY_NAME_PERCENT;
        return new Input(home.warehouse(), d, cW, cD, byName ? 0 : home.customerId(r),
                byName ? home.customerLastName(r) : null, r.uniformDecimal(100, 500_000, 2));
    }

    static final String UPDATE_WAREHOUSE = "UPDATE warehouse SET w_ytd = w_ytd + ? WHERE w_id = ?";
    static final String WAREHOUSE = "SELECT w_name, w_street_1, w_street_2, w_city, w_state, w_zip FROM warehouse "
            + "WHERE w_id = ?";
    static final String UPDATE_DISTRICT = "UPDATE district SET d_ytd = d_ytd + ? WHERE d_w_id = ? AND d_id = ?";
    static final String DISTRICT = "SELECT d_name, d_street_1, d_street_2, d_city, d_state, d_zip FROM district "
            + "WHERE d_w_id = ? AND d_id = ?";
    static final String CUSTOMER_COLUMNS = "c_id, c_first, c_middle, c_last, c_street_1, c_street_2, c_city, c_state, "
            + "c_zip, c_phone, c_since, c_credit, c_credit_lim, c_discount, c_balance";
    static final String CUSTOMER_BY_ID = "SELECT " + CUSTOMER_COLUMNS + " FROM customer "
            + "WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?";
    static final String CUSTOMERS_BY_NAME = "SELECT " + CUSTOMER_COLUMNS + " FROM customer "
            + "WHERE c_w_id = ? AND c_d_id = ? AND c_last = ? ORDER BY c_first";
    static final String CUSTOMER_DATA_FOR_UPDATE = "SELECT c_data FROM customer "
            + "WHERE c_w_id = ? AND c_d_id = ? AND c_id = ? FOR UPDATE";
    static final String UPDATE_CUSTOMER = "UPDATE customer SET c_balance = c_balance - ?, "
            + "c_ytd_payment = c_ytd_payment + ?, c_payment_cnt = c_payment_cnt + 1 "
            + "WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?";
    static final String UPDATE_CUSTOMER_WITH_DATA = "UPDATE customer SET c_balance = c_balance - ?, "
            + "c_ytd_payment = c_ytd_payment + ?, c_payment_cnt = c_payment_cnt + 1, c_data = ? "
            + "WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?";
    static final String INSERT_HISTORY = "INSERT INTO history (h_c_id, h_c_d_id, h_c_w_id, h_d_id, h_w_id, h_date, "
            + "h_amount, h_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    public static TxnResult execute(StatementCache sc, Input in, Timestamp now) throws SQLException {
        PreparedStatement ps = sc.get(UPDATE_WAREHOUSE);
        ps.setBigDecimal(1, in.amount());
        ps.setInt(2, in.w());
        NewOrder.expectOne(ps.executeUpdate(), "warehouse YTD update");
        ps = sc.get(WAREHOUSE);
        ps.setInt(1, in.w());
        String wName;
        try (ResultSet rs = ps.executeQuery()) {
            wName = NewOrder.single(rs, "warehouse " + in.w()).getString(1);
        }

        ps = sc.get(UPDATE_DISTRICT);
        ps.setBigDecimal(1, in.amount());
        ps.setInt(2, in.w());
        ps.setInt(3, in.d());
        NewOrder.expectOne(ps.executeUpdate(), "district YTD update");
        ps = sc.get(DISTRICT);
        ps.setInt(1, in.w());
        ps.setInt(2, in.d());
        String dName;
        try (ResultSet rs = ps.executeQuery()) {
            dName = NewOrder.single(rs, "district " + in.w() + "/" + in.d()).getString(1);
        }

        int cId;
        String credit;
        if (in.byName()) {
            ps = sc.get(CUSTOMERS_BY_NAME);
            ps.setInt(1, in.cW());
            ps.setInt(2, in.cD());
            ps.setString(3, in.cLast());
            Customers.Chosen chosen = Customers.middle(ps, 1, 12,
                    "customer " + in.cW() + "/" + in.cD() + " named " + in.cLast());
            cId = chosen.id();
            credit = chosen.credit();
        } else {
            ps = sc.get(CUSTOMER_BY_ID);
            ps.setInt(1, in.cW());
            ps.setInt(2, in.cD());
            ps.setInt(3, in.cId());
            try (ResultSet rs = ps.executeQuery()) {
                NewOrder.single(rs, "customer " + in.cW() + "/" + in.cD() + "/" + in.cId());
                cId = rs.getInt(1);
                credit = rs.getString(12);
            }
        }

        if ("BC".equals(credit)) {
            ps = sc.get(CUSTOMER_DATA_FOR_UPDATE);
            ps.setInt(1, in.cW());
            ps.setInt(2, in.cD());
            ps.setInt(3, cId);
            String data;
            try (ResultSet rs = ps.executeQuery()) {
                data = NewOrder.single(rs, "customer data " + cId).getString(1);
            }
            String newData = cId + " " + in.cD() + " " + in.cW() + " " + in.d() + " " + in.w() + " "
                    + in.amount().toPlainString() + " | " + data;
            ps = sc.get(UPDATE_CUSTOMER_WITH_DATA);
            ps.setBigDecimal(1, in.amount());
            ps.setBigDecimal(2, in.amount());
            ps.setString(3, newData.length() > C_DATA_MAX_CHARS ? newData.substring(0, C_DATA_MAX_CHARS) : newData);
            ps.setInt(4, in.cW());
            ps.setInt(5, in.cD());
            ps.setInt(6, cId);
        } else {
            ps = sc.get(UPDATE_CUSTOMER);
            ps.setBigDecimal(1, in.amount());
            ps.setBigDecimal(2, in.amount());
            ps.setInt(3, in.cW());
            ps.setInt(4, in.cD());
            ps.setInt(5, cId);
        }
        NewOrder.expectOne(ps.executeUpdate(), "customer payment update");

        ps = sc.get(INSERT_HISTORY);
        ps.setInt(1, cId);
        ps.setInt(2, in.cD());
        ps.setInt(3, in.cW());
        ps.setInt(4, in.d());
        ps.setInt(5, in.w());
        ps.setTimestamp(6, now);
        ps.setBigDecimal(7, in.amount());
        ps.setString(8, wName + "    " + dName);
        NewOrder.expectOne(ps.executeUpdate(), "history insert");
        return TxnResult.COMMIT;
    }

    private Payment() {
    }
}
