package io.cacdb.tpcc.schema;

import java.util.List;

/**
 * The nine TPC-C tables (spec §1.3) as PostgreSQL-compatible DDL, the cardinalities of the initial population
 * (§1.2, §4.3.3.1), and the names the rest of the module uses.
 *
 * <p>The DDL keeps to the SQL surface cacdb promises (../docs/tpcc.md, reference §7): {@code int}, {@code
 * decimal(p,s)}, {@code varchar(n)}, {@code char(n)}, {@code timestamp}, {@code NOT NULL}, composite primary keys and
 * multi-column {@code CREATE INDEX}; no foreign keys, UNIQUE constraints or defaults (BenchBase's "noisepage" DDL
 * shape). Table names are BenchBase's, so databases loaded by either tool look alike: ORDER is {@code oorder}.
 * Types follow the spec (C_YTD_PAYMENT is {@code decimal(12,2)}, not BenchBase's {@code float}), so the money
 * consistency conditions compare exact decimals.
 */
public final class TpccSchema {

    /** Items in ITEM, whatever the number of warehouses (spec §1.2). */
    public static final int ITEMS = 100_000;
    /** Districts per warehouse. */
    public static final int DISTRICTS_PER_WAREHOUSE = 10;
    /** Customers per district. */
    public static final int CUSTOMERS_PER_DISTRICT = 3_000;
    /** Initial orders per district (one per customer). */
    public static final int ORDERS_PER_DISTRICT = 3_000;
    /** The first initial order that is still undelivered (NEW-ORDER row, no carrier, lines not delivered). */
    public static final int FIRST_UNDELIVERED_ORDER = 2_101;
    /** NEW-ORDER rows per district after the load: orders 2,101..3,000. */
    public static final int NEW_ORDERS_PER_DISTRICT = ORDERS_PER_DISTRICT - FIRST_UNDELIVERED_ORDER + 1;
    /** Customers whose last name is the sequential one (C_ID 1..1000 get names 0..999 in order). */
    public static final int SEQUENTIAL_LAST_NAMES = 1_000;
    /** Order lines per order are uniform in [MIN, MAX] at load and at run time. */
    public static final int MIN_ORDER_LINES = 5;
    public static final int MAX_ORDER_LINES = 15;
    /** A terminal count above 10 per warehouse breaks the spec's terminal model (§4.2.2). */
    public static final int TERMINALS_PER_WAREHOUSE_MAX = 10;
    /** Warehouse ids are packed into 20 bits by the acknowledged-commit log. */
    public static final int WAREHOUSES_MAX = (1 << 20) - 1;

    /** The tables, in load order; {@link #ALL} drops and creates them. */
    public static final String WAREHOUSE = "warehouse";
    public static final String DISTRICT = "district";
    public static final String CUSTOMER = "customer";
    public static final String HISTORY = "history";
    public static final String NEW_ORDER = "new_order";
    public static final String ORDER = "oorder";
    public static final String ORDER_LINE = "order_line";
    public static final String ITEM = "item";
    public static final String STOCK = "stock";
    /** Not a TPC-C table: one row recording how the database was loaded (C_LAST load constant, warehouses). */
    public static final String LOAD_INFO = "tpcc_load_info";

    public static final List<String> ALL =
            List.of(WAREHOUSE, DISTRICT, CUSTOMER, HISTORY, NEW_ORDER, ORDER, ORDER_LINE, ITEM, STOCK);

    /** Statements that drop every table this module creates, if it exists. */
    public static List<String> dropStatements() {
        return java.util.stream.Stream.concat(ALL.stream(), java.util.stream.Stream.of(LOAD_INFO))
                .map(t -> "DROP TABLE IF EXISTS " + t + " CASCADE").toList();
    }

    /** CREATE TABLE statements, primary keys included (one statement each, auto-commit). */
    public static List<String> createTableStatements() {
        return List.of(
                """
                CREATE TABLE warehouse (
                  w_id int NOT NULL,
                  w_ytd decimal(12,2) NOT NULL,
                  w_tax decimal(4,4) NOT NULL,
                  w_name varchar(10) NOT NULL,
                  w_street_1 varchar(20) NOT NULL,
                  w_street_2 varchar(20) NOT NULL,
                  w_city varchar(20) NOT NULL,
                  w_state char(2) NOT NULL,
                  w_zip char(9) NOT NULL,
                  PRIMARY KEY (w_id)
                )""",
                """
                CREATE TABLE district (
                  d_w_id int NOT NULL,
                  d_id int NOT NULL,
                  d_ytd decimal(12,2) NOT NULL,
                  d_tax decimal(4,4) NOT NULL,
                  d_next_o_id int NOT NULL,
                  d_name varchar(10) NOT NULL,
                  d_street_1 varchar(20) NOT NULL,
                  d_street_2 varchar(20) NOT NULL,
                  d_city varchar(20) NOT NULL,
                  d_state char(2) NOT NULL,
                  d_zip char(9) NOT NULL,
                  PRIMARY KEY (d_w_id, d_id)
                )""",
                """
                CREATE TABLE customer (
                  c_w_id int NOT NULL,
                  c_d_id int NOT NULL,
                  c_id int NOT NULL,
                  c_discount decimal(4,4) NOT NULL,
                  c_credit char(2) NOT NULL,
                  c_last varchar(16) NOT NULL,
                  c_first varchar(16) NOT NULL,
                  c_credit_lim decimal(12,2) NOT NULL,
                  c_balance decimal(12,2) NOT NULL,
                  c_ytd_payment decimal(12,2) NOT NULL,
                  c_payment_cnt int NOT NULL,
                  c_delivery_cnt int NOT NULL,
                  c_street_1 varchar(20) NOT NULL,
                  c_street_2 varchar(20) NOT NULL,
                  c_city varchar(20) NOT NULL,
                  c_state char(2) NOT NULL,
                  c_zip char(9) NOT NULL,
                  c_phone char(16) NOT NULL,
                  c_since timestamp NOT NULL,
                  c_middle char(2) NOT NULL,
                  c_data varchar(500) NOT NULL,
                  PRIMARY KEY (c_w_id, c_d_id, c_id)
                )""",
                """
                CREATE TABLE history (
                  h_c_id int NOT NULL,
                  h_c_d_id int NOT NULL,
                  h_c_w_id int NOT NULL,
                  h_d_id int NOT NULL,
                  h_w_id int NOT NULL,
                  h_date timestamp NOT NULL,
                  h_amount decimal(6,2) NOT NULL,
                  h_data varchar(24) NOT NULL
                )""",
                """
                CREATE TABLE new_order (
                  no_w_id int NOT NULL,
                  no_d_id int NOT NULL,
                  no_o_id int NOT NULL,
                  PRIMARY KEY (no_w_id, no_d_id, no_o_id)
                )""",
                """
                CREATE TABLE oorder (
                  o_w_id int NOT NULL,
                  o_d_id int NOT NULL,
                  o_id int NOT NULL,
                  o_c_id int NOT NULL,
                  o_carrier_id int DEFAULT NULL,
                  o_ol_cnt int NOT NULL,
                  o_all_local int NOT NULL,
                  o_entry_d timestamp NOT NULL,
                  PRIMARY KEY (o_w_id, o_d_id, o_id)
                )""",
                """
                CREATE TABLE order_line (
                  ol_w_id int NOT NULL,
                  ol_d_id int NOT NULL,
                  ol_o_id int NOT NULL,
                  ol_number int NOT NULL,
                  ol_i_id int NOT NULL,
                  ol_delivery_d timestamp DEFAULT NULL,
                  ol_amount decimal(6,2) NOT NULL,
                  ol_supply_w_id int NOT NULL,
                  ol_quantity int NOT NULL,
                  ol_dist_info char(24) NOT NULL,
                  PRIMARY KEY (ol_w_id, ol_d_id, ol_o_id, ol_number)
                )""",
                """
                CREATE TABLE item (
                  i_id int NOT NULL,
                  i_name varchar(24) NOT NULL,
                  i_price decimal(5,2) NOT NULL,
                  i_data varchar(50) NOT NULL,
                  i_im_id int NOT NULL,
                  PRIMARY KEY (i_id)
                )""",
                """
                CREATE TABLE stock (
                  s_w_id int NOT NULL,
                  s_i_id int NOT NULL,
                  s_quantity int NOT NULL,
                  s_ytd int NOT NULL,
                  s_order_cnt int NOT NULL,
                  s_remote_cnt int NOT NULL,
                  s_data varchar(50) NOT NULL,
                  s_dist_01 char(24) NOT NULL,
                  s_dist_02 char(24) NOT NULL,
                  s_dist_03 char(24) NOT NULL,
                  s_dist_04 char(24) NOT NULL,
                  s_dist_05 char(24) NOT NULL,
                  s_dist_06 char(24) NOT NULL,
                  s_dist_07 char(24) NOT NULL,
                  s_dist_08 char(24) NOT NULL,
                  s_dist_09 char(24) NOT NULL,
                  s_dist_10 char(24) NOT NULL,
                  PRIMARY KEY (s_w_id, s_i_id)
                )""",
                """
                CREATE TABLE tpcc_load_info (
                  warehouses int NOT NULL,
                  c_last_load int NOT NULL,
                  seed bigint NOT NULL,
                  loaded_at timestamp NOT NULL,
                  PRIMARY KEY (warehouses)
                )""");
    }

    /**
     * Secondary indexes, created after the rows are in: the customer-by-name index (Payment and Order-Status look
     * customers up by (w, d, last) and sort by first name) and the orders-by-customer index (Order-Status reads a
     * customer's latest order; BenchBase gets it from a UNIQUE constraint, which our DDL does not use).
     */
    public static List<String> createIndexStatements() {
        return List.of(
                "CREATE INDEX idx_customer_name ON customer (c_w_id, c_d_id, c_last, c_first)",
                "CREATE INDEX idx_order_customer ON oorder (o_w_id, o_d_id, o_c_id, o_id)");
    }

    private TpccSchema() {
    }
}
