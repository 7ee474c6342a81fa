package io.cacdb.tpcc.txn;

import io.cacdb.tpcc.random.TpccRandom;
import io.cacdb.tpcc.schema.TpccSchema;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * New-Order (spec §2.4): the read-write backbone of the mix and the district hot spot (D_NEXT_O_ID).
 *
 * <p>Steps in spec order: W_TAX; D_TAX and D_NEXT_O_ID under a row lock, then D_NEXT_O_ID + 1; the customer's
 * discount, last name and credit; insert ORDER and NEW-ORDER; per line read the item (an unknown item — the 1% with
 * rbk = 1 — rolls the whole transaction back), lock and read the stock row, update its quantity (−qty, or −qty + 91
 * below qty + 10), YTD, order and remote counts, and insert the ORDER-LINE; total the order.
 *
 * <p>Stock rows are locked in (supply warehouse, item) order rather than line order, so two New-Orders sharing items
 * cannot deadlock on them; lines keep their OL_NUMBER. The same item twice in one order updates its stock row twice,
 * the second from the first's result.
 */
public final class NewOrder {

    /** The item id of the 1% rolled-back New-Orders: one past the last item, so it is never found (§2.4.1.4). */
    public static final int UNUSED_ITEM_ID = TpccSchema.ITEMS + 1;
    /** Share of New-Orders whose last line names an unused item, in percent (§2.4.1.4). */
    public static final int ROLLBACK_PERCENT = 1;
    /** Share of order lines supplied by a remote warehouse, in percent (§2.4.1.5). */
    public static final int REMOTE_LINE_PERCENT = 1;

    /**
     * @param w        home warehouse
     * @param d        district
     * @param c        customer id
     * @param items    OL_I_ID per line (the last is {@link #UNUSED_ITEM_ID} when rolling back)
     * @param supplyW  OL_SUPPLY_W_ID per line
     * @param quantity OL_QUANTITY per line
     */
    public record Input(int w, int d, int c, int[] items, int[] supplyW, int[] quantity) {
        public boolean allLocal() {
            return Arrays.stream(supplyW).allMatch(s -> s == w);
        }

        public boolean rollsBack() {
            return items[items.length - 1] == UNUSED_ITEM_ID;
        }
    }

    public static Input generate(TpccRandom r, TerminalHome home) {
        int d = home.randomDistrict(r);
        int c = home.customerId(r);
        int lines = r.uniform(TpccSchema.MIN_ORDER_LINES, TpccSchema.MAX_ORDER_LINES);
        boolean rollback = r.uniform(1, 100) <= ROLLBACK_PERCENT;
        int[] items = new int[lines];
        int[] supply = new int[lines];
        int[] qty = new int[lines];
        for (int i = 0; i < lines; i++) {
            items[i] = rollback && i == lines - 1 ? UNUSED_ITEM_ID : home.itemId(r);
            supply[i] = home.warehouses() > 1 && r.uniform(1, 100) <= REMOTE_LINE_PERCENT
                    ? home.otherWarehouse(r) : home.warehouse();
            qty[i] = r.uniform(1, 10);
        }
        return new Input(home.warehouse(), d, c, items, supply, qty);
    }

    static final String WAREHOUSE_TAX = "SELECT w_tax FROM warehouse WHERE w_id = ?";
    static final String DISTRICT_FOR_UPDATE =
            "SELECT d_tax, d_next_o_id FROM district WHERE d_w_id = ? AND d_id = ? FOR UPDATE";
    static final String DISTRICT_NEXT = "UPDATE district SET d_next_o_id = d_next_o_id + 1 WHERE d_w_id = ? AND d_id = ?";
    static final String CUSTOMER =
            "SELECT c_discount, c_last, c_credit FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?";
    static final String INSERT_ORDER = "INSERT INTO oorder (o_w_id, o_d_id, o_id, o_c_id, o_entry_d, o_ol_cnt, "
            + "o_all_local) VALUES (?, ?, ?, ?, ?, ?, ?)";
    static final String INSERT_NEW_ORDER = "INSERT INTO new_order (no_w_id, no_d_id, no_o_id) VALUES (?, ?, ?)";
    static final String ITEM = "SELECT i_price, i_name, i_data FROM item WHERE i_id = ?";
    static final String[] STOCK_FOR_UPDATE = new String[TpccSchema.DISTRICTS_PER_WAREHOUSE + 1];
    static final String UPDATE_STOCK = "UPDATE stock SET s_quantity = ?, s_ytd = s_ytd + ?, "
            + "s_order_cnt = s_order_cnt + 1, s_remote_cnt = s_remote_cnt + ? WHERE s_w_id = ? AND s_i_id = ?";
    static final String INSERT_ORDER_LINE = "INSERT INTO order_line (ol_w_id, ol_d_id, ol_o_id, ol_number, ol_i_id, "
            + "ol_supply_w_id, ol_quantity, ol_amount, ol_dist_info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    static {
        for (int d = 1; d <= TpccSchema.DISTRICTS_PER_WAREHOUSE; d++) {
            STOCK_FOR_UPDATE[d] = String.format("SELECT s_quantity, s_data, s_dist_%02d FROM stock "
                    + "WHERE s_w_id = ? AND s_i_id = ? FOR UPDATE", d);
        }
    }

    /** Runs the body; the caller commits (or rolls back on {@link TxnResult#USER_ROLLBACK}). */
    public static TxnResult execute(StatementCache sc, Input in, Timestamp now) throws SQLException {
        PreparedStatement ps = sc.get(WAREHOUSE_TAX);
        ps.setInt(1, in.w());
        BigDecimal wTax;
        try (ResultSet rs = ps.executeQuery()) {
            wTax = single(rs, "warehouse " + in.w()).getBigDecimal(1);
        }

        ps = sc.get(DISTRICT_FOR_UPDATE);
        ps.setInt(1, in.w());
        ps.setInt(2, in.d());
        BigDecimal dTax;
        int oId;
        try (ResultSet rs = ps.executeQuery()) {
            single(rs, "district " + in.w() + "/" + in.d());
            dTax = rs.getBigDecimal(1);
            oId = rs.getInt(2);
        }
        ps = sc.get(DISTRICT_NEXT);
        ps.setInt(1, in.w());
        ps.setInt(2, in.d());
        expectOne(ps.executeUpdate(), "district next order id update");

        ps = sc.get(CUSTOMER);
        ps.setInt(1, in.w());
        ps.setInt(2, in.d());
        ps.setInt(3, in.c());
        BigDecimal discount;
        try (ResultSet rs = ps.executeQuery()) {
            single(rs, "customer " + in.w() + "/" + in.d() + "/" + in.c());
            discount = rs.getBigDecimal(1);
            rs.getString(2);
            rs.getString(3);
        }

        int lines = in.items().length;
        ps = sc.get(INSERT_ORDER);
        ps.setInt(1, in.w());
        ps.setInt(2, in.d());
        ps.setInt(3, oId);
        ps.setInt(4, in.c());
        ps.setTimestamp(5, now);
        ps.setInt(6, lines);
        ps.setInt(7, in.allLocal() ? 1 : 0);
        expectOne(ps.executeUpdate(), "order insert");
        ps = sc.get(INSERT_NEW_ORDER);
        ps.setInt(1, in.w());
        ps.setInt(2, in.d());
        ps.setInt(3, oId);
        expectOne(ps.executeUpdate(), "new-order insert");

        // Items in line order: the unused item (always the last line) ends the transaction here.
        BigDecimal[] price = new BigDecimal[lines];
        String[] itemData = new String[lines];
        ps = sc.get(ITEM);
        for (int i = 0; i < lines; i++) {
            ps.setInt(1, in.items()[i]);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return TxnResult.USER_ROLLBACK;
                }
                price[i] = rs.getBigDecimal(1);
                rs.getString(2);
                itemData[i] = rs.getString(3);
            }
        }

        // Stock rows in (supply warehouse, item) order; repeated items see the quantity their earlier line left.
        Integer[] order = new Integer[lines];
        for (int i = 0; i < lines; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> in.supplyW()[i]).thenComparingInt(i -> in.items()[i]));
        Map<Long, Integer> quantityAfter = new HashMap<>();
        String[] distInfo = new String[lines];
        char[] brandGeneric = new char[lines];
        PreparedStatement stock = sc.get(STOCK_FOR_UPDATE[in.d()]);
        PreparedStatement updateStock = sc.get(UPDATE_STOCK);
        BigDecimal total = BigDecimal.ZERO;
        for (int i : order) {
            int sw = in.supplyW()[i];
            int item = in.items()[i];
            long key = (long) sw << 32 | item;
            int quantity;
            String stockData;
            stock.setInt(1, sw);
            stock.setInt(2, item);
            try (ResultSet rs = stock.executeQuery()) {
                single(rs, "stock " + sw + "/" + item);
                quantity = rs.getInt(1);
                stockData = rs.getString(2);
                distInfo[i] = rs.getString(3);
            }
            Integer earlier = quantityAfter.get(key);
            if (earlier != null) {
                quantity = earlier;
            }
            int qty = in.quantity()[i];
            int newQuantity = quantity >= qty + 10 ? quantity - qty : quantity - qty + 91;
            quantityAfter.put(key, newQuantity);
            updateStock.setInt(1, newQuantity);
            updateStock.setInt(2, qty);
            updateStock.setInt(3, sw == in.w() ? 0 : 1);
            updateStock.setInt(4, sw);
            updateStock.setInt(5, item);
            updateStock.addBatch();
            // Brand/generic: 'B' if both I_DATA and S_DATA contain ORIGINAL (shown on the terminal only).
            brandGeneric[i] = itemData[i].contains(TpccRandom.ORIGINAL) && stockData.contains(TpccRandom.ORIGINAL)
                    ? 'B' : 'G';
        }
        for (int count : updateStock.executeBatch()) {
            expectOne(count, "stock update");
        }

        PreparedStatement insertLine = sc.get(INSERT_ORDER_LINE);
        for (int i = 0; i < lines; i++) {
            BigDecimal amount = price[i].multiply(BigDecimal.valueOf(in.quantity()[i]));
            total = total.add(amount);
            insertLine.setInt(1, in.w());
            insertLine.setInt(2, in.d());
            insertLine.setInt(3, oId);
            insertLine.setInt(4, i + 1);
            insertLine.setInt(5, in.items()[i]);
            insertLine.setInt(6, in.supplyW()[i]);
            insertLine.setInt(7, in.quantity()[i]);
            insertLine.setBigDecimal(8, amount);
            insertLine.setString(9, distInfo[i]);
            insertLine.addBatch();
        }
        for (int count : insertLine.executeBatch()) {
            // pgjdbc reports SUCCESS_NO_INFO (-2) for rewritten batches; a plain batch reports 1 per row.
            if (count != 1 && count != java.sql.Statement.SUCCESS_NO_INFO) {
                throw new SQLException("order-line insert affected " + count + " rows");
            }
        }
        // What the terminal would display: sum(OL_AMOUNT) * (1 - C_DISCOUNT) * (1 + W_TAX + D_TAX).
        BigDecimal displayedTotal = total.multiply(BigDecimal.ONE.subtract(discount))
                .multiply(BigDecimal.ONE.add(wTax).add(dTax)).setScale(2, RoundingMode.HALF_UP);
        assert displayedTotal.signum() >= 0 && brandGeneric.length == lines;
        return TxnResult.newOrder(in.w(), in.d(), oId, lines);
    }

    static ResultSet single(ResultSet rs, String what) throws SQLException {
        if (!rs.next()) {
            throw new SQLException(what + " not found", "02000");
        }
        return rs;
    }

    static void expectOne(int count, String what) throws SQLException {
        if (count != 1) {
            throw new SQLException(what + " affected " + count + " rows, expected 1");
        }
    }

    private NewOrder() {
    }
}
