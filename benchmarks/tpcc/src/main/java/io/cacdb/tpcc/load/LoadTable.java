package io.cacdb.tpcc.load;

import io.cacdb.tpcc.schema.TpccSchema;
import java.util.List;

/** The nine tables as the loader fills them: the column order of every generated row and its INSERT statement. */
public enum LoadTable {
    ITEM(TpccSchema.ITEM, "i_id", "i_im_id", "i_name", "i_price", "i_data"),
    WAREHOUSE(TpccSchema.WAREHOUSE, "w_id", "w_name", "w_street_1", "w_street_2", "w_city", "w_state", "w_zip",
            "w_tax", "w_ytd"),
    STOCK(TpccSchema.STOCK, "s_w_id", "s_i_id", "s_quantity", "s_dist_01", "s_dist_02", "s_dist_03", "s_dist_04",
            "s_dist_05", "s_dist_06", "s_dist_07", "s_dist_08", "s_dist_09", "s_dist_10", "s_ytd", "s_order_cnt",
            "s_remote_cnt", "s_data"),
    DISTRICT(TpccSchema.DISTRICT, "d_w_id", "d_id", "d_name", "d_street_1", "d_street_2", "d_city", "d_state",
            "d_zip", "d_tax", "d_ytd", "d_next_o_id"),
    CUSTOMER(TpccSchema.CUSTOMER, "c_w_id", "c_d_id", "c_id", "c_first", "c_middle", "c_last", "c_street_1",
            "c_street_2", "c_city", "c_state", "c_zip", "c_phone", "c_since", "c_credit", "c_credit_lim",
            "c_discount", "c_balance", "c_ytd_payment", "c_payment_cnt", "c_delivery_cnt", "c_data"),
    HISTORY(TpccSchema.HISTORY, "h_c_id", "h_c_d_id", "h_c_w_id", "h_d_id", "h_w_id", "h_date", "h_amount",
            "h_data"),
    ORDER(TpccSchema.ORDER, "o_w_id", "o_d_id", "o_id", "o_c_id", "o_entry_d", "o_carrier_id", "o_ol_cnt",
            "o_all_local"),
    ORDER_LINE(TpccSchema.ORDER_LINE, "ol_w_id", "ol_d_id", "ol_o_id", "ol_number", "ol_i_id", "ol_supply_w_id",
            "ol_delivery_d", "ol_quantity", "ol_amount", "ol_dist_info"),
    NEW_ORDER(TpccSchema.NEW_ORDER, "no_w_id", "no_d_id", "no_o_id");

    private final String table;
    private final List<String> columns;

    LoadTable(String table, String... columns) {
        this.table = table;
        this.columns = List.of(columns);
    }

    public String tableName() {
        return table;
    }

    public List<String> columns() {
        return columns;
    }

    /** Index of a column in this table's rows. */
    public int column(String name) {
        int i = columns.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(table + " has no column " + name);
        }
        return i;
    }

    public String insertSql() {
        return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")";
    }

    /** Rows of this table in the initial population of {@code warehouses} warehouses (order lines: expected). */
    public long expectedRows(int warehouses) {
        long districts = (long) warehouses * TpccSchema.DISTRICTS_PER_WAREHOUSE;
        return switch (this) {
            case ITEM -> TpccSchema.ITEMS;
            case WAREHOUSE -> warehouses;
            case STOCK -> (long) warehouses * TpccSchema.ITEMS;
            case DISTRICT -> districts;
            case CUSTOMER, HISTORY -> districts * TpccSchema.CUSTOMERS_PER_DISTRICT;
            case ORDER -> districts * TpccSchema.ORDERS_PER_DISTRICT;
            // O_OL_CNT is uniform in [5, 15]: 10 lines per order on average.
            case ORDER_LINE -> districts * TpccSchema.ORDERS_PER_DISTRICT
                    * (TpccSchema.MIN_ORDER_LINES + TpccSchema.MAX_ORDER_LINES) / 2;
            case NEW_ORDER -> districts * TpccSchema.NEW_ORDERS_PER_DISTRICT;
        };
    }
}
