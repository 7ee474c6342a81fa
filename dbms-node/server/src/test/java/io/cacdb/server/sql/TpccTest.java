package io.cacdb.server.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The five TPC-C transactions sent the way BenchBase's TPC-C sends them through pgjdbc
 * (shared/reference/tpcc.md §2): BenchBase's DDL, a loader with positional multi-row batches
 * ({@code reWriteBatchedInserts=true}, {@code setNull(i, Types.NULL)}), and the procedures' exact statements as
 * prepared statements on autocommit-off connections at SERIALIZABLE, with the 1% New-Order rollback, Payment by id
 * and by name, Order-Status, Delivery and Stock-Level. After a short multi-threaded run (a seeded mix; terminals
 * retry 40001/40P01) the TPC-C consistency conditions 1-4 must hold. Scaled down: 2 warehouses, 10 districts,
 * 30 customers per district, 200 items, 30 orders per district (21..30 undelivered).
 */
class TpccTest {

    static final int WAREHOUSES = 2;
    static final int DISTRICTS = 10;
    static final int CUSTOMERS = 30;
    static final int ITEMS = 200;
    static final int ORDERS = 30;
    static final int FIRST_UNDELIVERED = 21;
    static final int TERMINALS = 4;
    static final int TRANSACTIONS_PER_TERMINAL = 60;
    static final int RETRIES_MAX = 20;
    static final String[] SYLLABLES = {"BAR", "OUGHT", "ABLE", "PRI", "PRES", "ESE", "ANTI", "CALLY", "ATION", "EING"};

    static final String[] DDL = {
        "DROP TABLE IF EXISTS history CASCADE", "DROP TABLE IF EXISTS new_order CASCADE",
        "DROP TABLE IF EXISTS order_line CASCADE", "DROP TABLE IF EXISTS oorder CASCADE",
        "DROP TABLE IF EXISTS customer CASCADE", "DROP TABLE IF EXISTS district CASCADE",
        "DROP TABLE IF EXISTS stock CASCADE", "DROP TABLE IF EXISTS item CASCADE",
        "DROP TABLE IF EXISTS warehouse CASCADE",
        """
        CREATE TABLE warehouse (
            w_id int NOT NULL, w_ytd decimal(12,2) NOT NULL, w_tax decimal(4,4) NOT NULL, w_name varchar(10) NOT NULL,
            w_street_1 varchar(20) NOT NULL, w_street_2 varchar(20) NOT NULL, w_city varchar(20) NOT NULL,
            w_state char(2) NOT NULL, w_zip char(9) NOT NULL, PRIMARY KEY (w_id))""",
        """
        CREATE TABLE item (
            i_id int NOT NULL, i_name varchar(24) NOT NULL, i_price decimal(5,2) NOT NULL, i_data varchar(50) NOT NULL,
            i_im_id int NOT NULL, PRIMARY KEY (i_id))""",
        """
        CREATE TABLE stock (
            s_w_id int NOT NULL, s_i_id int NOT NULL, s_quantity int NOT NULL, s_ytd decimal(8,2) NOT NULL,
            s_order_cnt int NOT NULL, s_remote_cnt int NOT NULL, s_data varchar(50) NOT NULL,
            s_dist_01 char(24) NOT NULL, s_dist_02 char(24) NOT NULL, s_dist_03 char(24) NOT NULL,
            s_dist_04 char(24) NOT NULL, s_dist_05 char(24) NOT NULL, s_dist_06 char(24) NOT NULL,
            s_dist_07 char(24) NOT NULL, s_dist_08 char(24) NOT NULL, s_dist_09 char(24) NOT NULL,
            s_dist_10 char(24) NOT NULL,
            FOREIGN KEY (s_w_id) REFERENCES warehouse (w_id) ON DELETE CASCADE,
            FOREIGN KEY (s_i_id) REFERENCES item (i_id) ON DELETE CASCADE,
            PRIMARY KEY (s_w_id, s_i_id))""",
        """
        CREATE TABLE district (
            d_w_id int NOT NULL, d_id int NOT NULL, d_ytd decimal(12,2) NOT NULL, d_tax decimal(4,4) NOT NULL,
            d_next_o_id int NOT NULL, d_name varchar(10) NOT NULL, d_street_1 varchar(20) NOT NULL,
            d_street_2 varchar(20) NOT NULL, d_city varchar(20) NOT NULL, d_state char(2) NOT NULL,
            d_zip char(9) NOT NULL,
            FOREIGN KEY (d_w_id) REFERENCES warehouse (w_id) ON DELETE CASCADE,
            PRIMARY KEY (d_w_id, d_id))""",
        """
        CREATE TABLE customer (
            c_w_id int NOT NULL, c_d_id int NOT NULL, c_id int NOT NULL, c_discount decimal(4,4) NOT NULL,
            c_credit char(2) NOT NULL, c_last varchar(16) NOT NULL, c_first varchar(16) NOT NULL,
            c_credit_lim decimal(12,2) NOT NULL, c_balance decimal(12,2) NOT NULL, c_ytd_payment float NOT NULL,
            c_payment_cnt int NOT NULL, c_delivery_cnt int NOT NULL, c_street_1 varchar(20) NOT NULL,
            c_street_2 varchar(20) NOT NULL, c_city varchar(20) NOT NULL, c_state char(2) NOT NULL,
            c_zip char(9) NOT NULL, c_phone char(16) NOT NULL, c_since timestamp NOT NULL, c_middle char(2) NOT NULL,
            c_data varchar(500) NOT NULL,
            FOREIGN KEY (c_w_id, c_d_id) REFERENCES district (d_w_id, d_id) ON DELETE CASCADE,
            PRIMARY KEY (c_w_id, c_d_id, c_id))""",
        """
        CREATE TABLE history (
            h_c_id int NOT NULL, h_c_d_id int NOT NULL, h_c_w_id int NOT NULL, h_d_id int NOT NULL,
            h_w_id int NOT NULL, h_date timestamp NOT NULL, h_amount decimal(6,2) NOT NULL, h_data varchar(24) NOT NULL,
            FOREIGN KEY (h_c_w_id, h_c_d_id, h_c_id) REFERENCES customer (c_w_id, c_d_id, c_id) ON DELETE CASCADE,
            FOREIGN KEY (h_w_id, h_d_id) REFERENCES district (d_w_id, d_id) ON DELETE CASCADE)""",
        """
        CREATE TABLE oorder (
            o_w_id int NOT NULL, o_d_id int NOT NULL, o_id int NOT NULL, o_c_id int NOT NULL,
            o_carrier_id int DEFAULT NULL, o_ol_cnt int NOT NULL, o_all_local int NOT NULL,
            o_entry_d timestamp NOT NULL,
            PRIMARY KEY (o_w_id, o_d_id, o_id),
            FOREIGN KEY (o_w_id, o_d_id, o_c_id) REFERENCES customer (c_w_id, c_d_id, c_id) ON DELETE CASCADE,
            UNIQUE (o_w_id, o_d_id, o_c_id, o_id))""",
        """
        CREATE TABLE new_order (
            no_w_id int NOT NULL, no_d_id int NOT NULL, no_o_id int NOT NULL,
            FOREIGN KEY (no_w_id, no_d_id, no_o_id) REFERENCES oorder (o_w_id, o_d_id, o_id) ON DELETE CASCADE,
            PRIMARY KEY (no_w_id, no_d_id, no_o_id))""",
        """
        CREATE TABLE order_line (
            ol_w_id int NOT NULL, ol_d_id int NOT NULL, ol_o_id int NOT NULL, ol_number int NOT NULL,
            ol_i_id int NOT NULL, ol_delivery_d timestamp NULL DEFAULT NULL, ol_amount decimal(6,2) NOT NULL,
            ol_supply_w_id int NOT NULL, ol_quantity decimal(6,2) NOT NULL, ol_dist_info char(24) NOT NULL,
            FOREIGN KEY (ol_w_id, ol_d_id, ol_o_id) REFERENCES oorder (o_w_id, o_d_id, o_id) ON DELETE CASCADE,
            FOREIGN KEY (ol_supply_w_id, ol_i_id) REFERENCES stock (s_w_id, s_i_id) ON DELETE CASCADE,
            PRIMARY KEY (ol_w_id, ol_d_id, ol_o_id, ol_number))""",
        "CREATE INDEX idx_customer_name ON customer (c_w_id, c_d_id, c_last, c_first)",
    };

    static String lastName(int n) {
        return SYLLABLES[n / 100] + SYLLABLES[(n / 10) % 10] + SYLLABLES[n % 10];
    }

    static String text(Random r, int min, int max) {
        int len = min + r.nextInt(max - min + 1);
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }

    /** Runs one batched, positional INSERT the way BenchBase's loader does (every 128 rows, autocommit). */
    interface RowWriter {
        void row(PreparedStatement ps, int n) throws SQLException;
    }

    static void load(Connection c, String sql, int rows, RowWriter w) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < rows; i++) {
                w.row(ps, i);
                ps.addBatch();
                if (i % 128 == 127 || i == rows - 1) {
                    ps.executeBatch();
                }
            }
        }
    }

    static void createAndLoad(Connection c, long seed) throws SQLException {
        Random r = new Random(seed);
        try (Statement st = c.createStatement()) {
            for (String ddl : DDL) {
                st.execute(ddl);
            }
        }
        Timestamp now = new Timestamp(System.currentTimeMillis());
        load(c, "INSERT INTO item VALUES (?,?,?,?,?)", ITEMS, (ps, i) -> {
            ps.setInt(1, i + 1);
            ps.setString(2, text(r, 14, 24));
            ps.setDouble(3, (100 + r.nextInt(9900)) / 100.0);
            ps.setString(4, r.nextInt(10) == 0 ? "xxORIGINALxx" : text(r, 26, 50));
            ps.setInt(5, 1 + r.nextInt(10000));
        });
        for (int w = 1; w <= WAREHOUSES; w++) {
            int wid = w;
            load(c, "INSERT INTO warehouse VALUES (?,?,?,?,?,?,?,?,?)", 1, (ps, i) -> {
                ps.setInt(1, wid);
                ps.setDouble(2, 300000.00);
                ps.setDouble(3, r.nextInt(2000) / 10000.0);
                ps.setString(4, text(r, 6, 10));
                ps.setString(5, text(r, 10, 20));
                ps.setString(6, text(r, 10, 20));
                ps.setString(7, text(r, 10, 20));
                ps.setString(8, "CA");
                ps.setString(9, "123411111");
            });
            load(c, "INSERT INTO stock VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", ITEMS, (ps, i) -> {
                ps.setLong(1, wid);
                ps.setLong(2, i + 1);
                ps.setInt(3, 10 + r.nextInt(91));
                ps.setDouble(4, 0);
                ps.setInt(5, 0);
                ps.setInt(6, 0);
                ps.setString(7, r.nextInt(10) == 0 ? "ORIGINAL" : text(r, 26, 50));
                for (int d = 0; d < 10; d++) {
                    ps.setString(8 + d, text(r, 24, 24));
                }
            });
            for (int d = 1; d <= DISTRICTS; d++) {
                int did = d;
                load(c, "INSERT INTO district VALUES (?,?,?,?,?,?,?,?,?,?,?)", 1, (ps, i) -> {
                    ps.setInt(1, wid);
                    ps.setInt(2, did);
                    ps.setDouble(3, 30000.00);
                    ps.setDouble(4, r.nextInt(2000) / 10000.0);
                    ps.setInt(5, ORDERS + 1);
                    ps.setString(6, text(r, 6, 10));
                    ps.setString(7, text(r, 10, 20));
                    ps.setString(8, text(r, 10, 20));
                    ps.setString(9, text(r, 10, 20));
                    ps.setString(10, "CA");
                    ps.setString(11, "123411111");
                });
                load(c, "INSERT INTO customer VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", CUSTOMERS, (ps, i) -> {
                    ps.setInt(1, wid);
                    ps.setInt(2, did);
                    ps.setInt(3, i + 1);
                    ps.setDouble(4, r.nextInt(5000) / 10000.0);
                    ps.setString(5, r.nextInt(10) == 0 ? "BC" : "GC");
                    ps.setString(6, lastName(i < 10 ? i : r.nextInt(10)));
                    ps.setString(7, text(r, 8, 16));
                    ps.setDouble(8, 50000.00);
                    ps.setDouble(9, -10.00);
                    ps.setDouble(10, 10.00);
                    ps.setInt(11, 1);
                    ps.setInt(12, 0);
                    ps.setString(13, text(r, 10, 20));
                    ps.setString(14, text(r, 10, 20));
                    ps.setString(15, text(r, 10, 20));
                    ps.setString(16, "CA");
                    ps.setString(17, "123411111");
                    ps.setString(18, "0123456789012345");
                    ps.setTimestamp(19, now);
                    ps.setString(20, "OE");
                    ps.setString(21, text(r, 300, 500));
                });
                load(c, "INSERT INTO history VALUES (?,?,?,?,?,?,?,?)", CUSTOMERS, (ps, i) -> {
                    ps.setInt(1, i + 1);
                    ps.setInt(2, did);
                    ps.setInt(3, wid);
                    ps.setInt(4, did);
                    ps.setInt(5, wid);
                    ps.setTimestamp(6, now);
                    ps.setDouble(7, 10.00);
                    ps.setString(8, text(r, 10, 24));
                });
                List<Integer> perm = new ArrayList<>();
                for (int i = 1; i <= CUSTOMERS; i++) {
                    perm.add(i);
                }
                java.util.Collections.shuffle(perm, r);
                int[] lines = new int[ORDERS + 1];
                load(c, "INSERT INTO oorder VALUES (?,?,?,?,?,?,?,?)", ORDERS, (ps, i) -> {
                    int oid = i + 1;
                    lines[oid] = 5 + r.nextInt(11);
                    ps.setInt(1, wid);
                    ps.setInt(2, did);
                    ps.setInt(3, oid);
                    ps.setInt(4, perm.get(i % CUSTOMERS));
                    if (oid < FIRST_UNDELIVERED) {
                        ps.setInt(5, 1 + r.nextInt(10));
                    } else {
                        ps.setNull(5, Types.INTEGER);
                    }
                    ps.setInt(6, lines[oid]);
                    ps.setInt(7, 1);
                    ps.setTimestamp(8, now);
                });
                load(c, "INSERT INTO new_order VALUES (?,?,?)", ORDERS - FIRST_UNDELIVERED + 1, (ps, i) -> {
                    ps.setInt(1, wid);
                    ps.setInt(2, did);
                    ps.setInt(3, FIRST_UNDELIVERED + i);
                });
                List<int[]> ol = new ArrayList<>();
                for (int o = 1; o <= ORDERS; o++) {
                    for (int n = 1; n <= lines[o]; n++) {
                        ol.add(new int[] {o, n});
                    }
                }
                load(c, "INSERT INTO order_line VALUES (?,?,?,?,?,?,?,?,?,?)", ol.size(), (ps, i) -> {
                    int oid = ol.get(i)[0];
                    ps.setInt(1, wid);
                    ps.setInt(2, did);
                    ps.setInt(3, oid);
                    ps.setInt(4, ol.get(i)[1]);
                    ps.setLong(5, 1 + r.nextInt(ITEMS));
                    if (oid < FIRST_UNDELIVERED) {
                        ps.setTimestamp(6, now);
                        ps.setDouble(7, 0);
                    } else {
                        ps.setNull(6, 0 /* Types.NULL: an unspecified parameter type, as BenchBase sends it */);
                        ps.setDouble(7, (1 + r.nextInt(999999)) / 100.0);
                    }
                    ps.setInt(8, wid);
                    ps.setDouble(9, 5);
                    ps.setString(10, text(r, 24, 24));
                });
            }
        }
    }

    /** A terminal: one connection, BenchBase's statements, SERIALIZABLE, autocommit off. */
    static final class Terminal {
        final Connection c;
        final Random r;
        final int w;
        final Map<String, PreparedStatement> statements = new HashMap<>();
        long userAborts;

        Terminal(Connection c, long seed, int w) throws SQLException {
            this.c = c;
            this.r = new Random(seed);
            this.w = w;
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            c.setAutoCommit(false);
        }

        PreparedStatement ps(String sql) throws SQLException {
            PreparedStatement p = statements.get(sql);
            if (p == null) {
                p = c.prepareStatement(sql);
                statements.put(sql, p);
            }
            return p;
        }

        void newOrder() throws SQLException {
            int d = 1 + r.nextInt(DISTRICTS);
            int cid = 1 + r.nextInt(CUSTOMERS);
            int olCnt = 5 + r.nextInt(11);
            boolean rollback = r.nextInt(100) == 0;
            int[] items = new int[olCnt];
            int[] supply = new int[olCnt];
            int[] qty = new int[olCnt];
            boolean allLocal = true;
            for (int i = 0; i < olCnt; i++) {
                items[i] = 1 + r.nextInt(ITEMS);
                supply[i] = WAREHOUSES > 1 && r.nextInt(100) == 0 ? 1 + (w % WAREHOUSES) : w;
                allLocal &= supply[i] == w;
                qty[i] = 1 + r.nextInt(10);
            }
            if (rollback) {
                items[olCnt - 1] = -12345;
            }
            PreparedStatement p = ps("SELECT C_DISCOUNT, C_LAST, C_CREDIT FROM customer WHERE C_W_ID = ? AND C_D_ID = ? AND C_ID = ?");
            p.setInt(1, w);
            p.setInt(2, d);
            p.setInt(3, cid);
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next());
                rs.getFloat("C_DISCOUNT");
                rs.getString("C_LAST");
                rs.getString("C_CREDIT");
            }
            p = ps("SELECT W_TAX FROM warehouse WHERE W_ID = ?");
            p.setInt(1, w);
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next());
                rs.getFloat("W_TAX");
            }
            p = ps("SELECT D_NEXT_O_ID, D_TAX FROM district WHERE D_W_ID = ? AND D_ID = ? FOR UPDATE");
            p.setInt(1, w);
            p.setInt(2, d);
            int oid;
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next());
                oid = rs.getInt("D_NEXT_O_ID");
                rs.getFloat("D_TAX");
            }
            p = ps("UPDATE district SET D_NEXT_O_ID = D_NEXT_O_ID + 1 WHERE D_W_ID = ? AND D_ID = ?");
            p.setInt(1, w);
            p.setInt(2, d);
            assertEquals(1, p.executeUpdate());
            p = ps("INSERT INTO oorder (O_ID, O_D_ID, O_W_ID, O_C_ID, O_ENTRY_D, O_OL_CNT, O_ALL_LOCAL) VALUES (?, ?, ?, ?, ?, ?, ?)");
            p.setInt(1, oid);
            p.setInt(2, d);
            p.setInt(3, w);
            p.setInt(4, cid);
            p.setTimestamp(5, new Timestamp(System.currentTimeMillis()));
            p.setInt(6, olCnt);
            p.setInt(7, allLocal ? 1 : 0);
            p.executeUpdate();
            p = ps("INSERT INTO new_order (NO_O_ID, NO_D_ID, NO_W_ID) VALUES ( ?, ?, ?)");
            p.setInt(1, oid);
            p.setInt(2, d);
            p.setInt(3, w);
            p.executeUpdate();
            PreparedStatement insertLine = ps("INSERT INTO order_line (OL_O_ID, OL_D_ID, OL_W_ID, OL_NUMBER, OL_I_ID, OL_SUPPLY_W_ID, OL_QUANTITY, OL_AMOUNT, OL_DIST_INFO) VALUES (?,?,?,?,?,?,?,?,?)");
            PreparedStatement updateStock = ps("UPDATE stock SET S_QUANTITY = ? , S_YTD = S_YTD + ?, S_ORDER_CNT = S_ORDER_CNT + 1, S_REMOTE_CNT = S_REMOTE_CNT + ? WHERE S_I_ID = ? AND S_W_ID = ?");
            insertLine.clearBatch(); // an attempt that failed (deadlock, user abort) may have left lines batched
            updateStock.clearBatch();
            for (int i = 0; i < olCnt; i++) {
                p = ps("SELECT I_PRICE, I_NAME , I_DATA FROM item WHERE I_ID = ?");
                p.setInt(1, items[i]);
                float price;
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        userAborts++;
                        throw new UserAbort();
                    }
                    price = rs.getFloat("I_PRICE");
                    rs.getString("I_NAME");
                    rs.getString("I_DATA");
                }
                p = ps("SELECT S_QUANTITY, S_DATA, S_DIST_01, S_DIST_02, S_DIST_03, S_DIST_04, S_DIST_05, S_DIST_06, S_DIST_07, S_DIST_08, S_DIST_09, S_DIST_10 FROM stock WHERE S_I_ID = ? AND S_W_ID = ? FOR UPDATE");
                p.setInt(1, items[i]);
                p.setInt(2, supply[i]);
                int sQuantity;
                String dist;
                try (ResultSet rs = p.executeQuery()) {
                    assertTrue(rs.next());
                    sQuantity = rs.getInt("S_QUANTITY");
                    rs.getString("S_DATA");
                    dist = rs.getString(String.format("S_DIST_%02d", d));
                }
                sQuantity = sQuantity - qty[i] >= 10 ? sQuantity - qty[i] : sQuantity - qty[i] + 91;
                insertLine.setInt(1, oid);
                insertLine.setInt(2, d);
                insertLine.setInt(3, w);
                insertLine.setInt(4, i + 1);
                insertLine.setInt(5, items[i]);
                insertLine.setInt(6, supply[i]);
                insertLine.setInt(7, qty[i]);
                insertLine.setDouble(8, qty[i] * price);
                insertLine.setString(9, dist);
                insertLine.addBatch();
                updateStock.setInt(1, sQuantity);
                updateStock.setInt(2, qty[i]);
                updateStock.setInt(3, supply[i] == w ? 0 : 1);
                updateStock.setInt(4, items[i]);
                updateStock.setInt(5, supply[i]);
                updateStock.addBatch();
            }
            insertLine.executeBatch();
            insertLine.clearBatch();
            updateStock.executeBatch();
            updateStock.clearBatch();
        }

        /** Finds the customer by last name (the middle of those sorted by first name) or by id; returns c_id. */
        int customer(int cw, int cd, boolean byName) throws SQLException {
            if (!byName) {
                int cid = 1 + r.nextInt(CUSTOMERS);
                PreparedStatement p = ps("SELECT C_FIRST, C_MIDDLE, C_LAST, C_STREET_1, C_STREET_2, C_CITY, C_STATE, C_ZIP, C_PHONE, C_CREDIT, C_CREDIT_LIM, C_DISCOUNT, C_BALANCE, C_YTD_PAYMENT, C_PAYMENT_CNT, C_SINCE FROM customer WHERE C_W_ID = ? AND C_D_ID = ? AND C_ID = ?");
                p.setInt(1, cw);
                p.setInt(2, cd);
                p.setInt(3, cid);
                try (ResultSet rs = p.executeQuery()) {
                    assertTrue(rs.next());
                    rs.getTimestamp("C_SINCE");
                }
                return cid;
            }
            PreparedStatement p = ps("SELECT C_FIRST, C_MIDDLE, C_ID, C_STREET_1, C_STREET_2, C_CITY, C_STATE, C_ZIP, C_PHONE, C_CREDIT, C_CREDIT_LIM, C_DISCOUNT, C_BALANCE, C_YTD_PAYMENT, C_PAYMENT_CNT, C_SINCE FROM customer WHERE C_W_ID = ? AND C_D_ID = ? AND C_LAST = ? ORDER BY C_FIRST");
            p.setInt(1, cw);
            p.setInt(2, cd);
            p.setString(3, lastName(r.nextInt(10)));
            List<Integer> ids = new ArrayList<>();
            String previous = null;
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String first = rs.getString("C_FIRST");
                    assertTrue(previous == null || previous.compareTo(first) <= 0, "sorted by C_FIRST");
                    previous = first;
                    ids.add(rs.getInt("C_ID"));
                }
            }
            assertFalse(ids.isEmpty(), "each district has every one of the first ten last names");
            return ids.get((ids.size() + 1) / 2 - 1);
        }

        void payment() throws SQLException {
            int d = 1 + r.nextInt(DISTRICTS);
            int cw = w;
            int cd = d;
            if (r.nextInt(100) >= 85 && WAREHOUSES > 1) {
                cw = 1 + (w % WAREHOUSES);
                cd = 1 + r.nextInt(DISTRICTS);
            }
            double amount = (100 + r.nextInt(499900)) / 100.0;
            PreparedStatement p = ps("UPDATE warehouse SET W_YTD = W_YTD + ?  WHERE W_ID = ? ");
            p.setDouble(1, amount);
            p.setInt(2, w);
            assertEquals(1, p.executeUpdate());
            p = ps("SELECT W_STREET_1, W_STREET_2, W_CITY, W_STATE, W_ZIP, W_NAME FROM warehouse WHERE W_ID = ?");
            p.setInt(1, w);
            String wName;
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next());
                wName = rs.getString("W_NAME");
            }
            p = ps("UPDATE district SET D_YTD = D_YTD + ? WHERE D_W_ID = ? AND D_ID = ?");
            p.setDouble(1, amount);
            p.setInt(2, w);
            p.setInt(3, d);
            assertEquals(1, p.executeUpdate());
            p = ps("SELECT D_STREET_1, D_STREET_2, D_CITY, D_STATE, D_ZIP, D_NAME FROM district WHERE D_W_ID = ? AND D_ID = ?");
            p.setInt(1, w);
            p.setInt(2, d);
            String dName;
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next());
                dName = rs.getString("D_NAME");
            }
            int cid = customer(cw, cd, r.nextInt(100) < 60);
            p = ps("SELECT C_BALANCE, C_YTD_PAYMENT, C_PAYMENT_CNT, C_CREDIT FROM customer WHERE C_W_ID = ? AND C_D_ID = ? AND C_ID = ?");
            p.setInt(1, cw);
            p.setInt(2, cd);
            p.setInt(3, cid);
            float balance;
            float ytd;
            int cnt;
            String credit;
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next());
                balance = rs.getFloat(1) - (float) amount;
                ytd = rs.getFloat(2) + (float) amount;
                cnt = rs.getInt(3) + 1;
                credit = rs.getString(4);
            }
            if (credit.equals("BC")) {
                p = ps("SELECT C_DATA FROM customer WHERE C_W_ID = ? AND C_D_ID = ? AND C_ID = ?");
                p.setInt(1, cw);
                p.setInt(2, cd);
                p.setInt(3, cid);
                String data;
                try (ResultSet rs = p.executeQuery()) {
                    assertTrue(rs.next());
                    data = rs.getString(1);
                }
                data = cid + " " + cd + " " + cw + " " + d + " " + w + " " + amount + " | " + data;
                if (data.length() > 500) {
                    data = data.substring(0, 500);
                }
                p = ps("UPDATE customer SET C_BALANCE = ?, C_YTD_PAYMENT = ?, C_PAYMENT_CNT = ?, C_DATA = ? WHERE C_W_ID = ? AND C_D_ID = ? AND C_ID = ?");
                p.setDouble(1, balance);
                p.setDouble(2, ytd);
                p.setInt(3, cnt);
                p.setString(4, data);
                p.setInt(5, cw);
                p.setInt(6, cd);
                p.setInt(7, cid);
            } else {
                p = ps("UPDATE customer SET C_BALANCE = ?, C_YTD_PAYMENT = ?, C_PAYMENT_CNT = ? WHERE C_W_ID = ? AND C_D_ID = ? AND C_ID = ?");
                p.setDouble(1, balance);
                p.setDouble(2, ytd);
                p.setInt(3, cnt);
                p.setInt(4, cw);
                p.setInt(5, cd);
                p.setInt(6, cid);
            }
            assertEquals(1, p.executeUpdate());
            p = ps("INSERT INTO history (H_C_D_ID, H_C_W_ID, H_C_ID, H_D_ID, H_W_ID, H_DATE, H_AMOUNT, H_DATA)  VALUES (?,?,?,?,?,?,?,?)");
            p.setInt(1, cd);
            p.setInt(2, cw);
            p.setInt(3, cid);
            p.setInt(4, d);
            p.setInt(5, w);
            p.setTimestamp(6, new Timestamp(System.currentTimeMillis()));
            p.setDouble(7, amount);
            p.setString(8, (wName + "    " + dName).substring(0, Math.min(24, wName.length() + 4 + dName.length())));
            p.executeUpdate();
        }

        void orderStatus() throws SQLException {
            int d = 1 + r.nextInt(DISTRICTS);
            int cid = customer(w, d, r.nextInt(100) < 60);
            PreparedStatement p = ps("SELECT O_ID, O_CARRIER_ID, O_ENTRY_D FROM oorder WHERE O_W_ID = ? AND O_D_ID = ? AND O_C_ID = ? ORDER BY O_ID DESC LIMIT 1");
            p.setInt(1, w);
            p.setInt(2, d);
            p.setInt(3, cid);
            int oid;
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return; // a customer without orders (the scaled-down load gives some none)
                }
                oid = rs.getInt("O_ID");
                rs.getInt("O_CARRIER_ID");
                rs.getTimestamp("O_ENTRY_D");
            }
            p = ps("SELECT OL_I_ID, OL_SUPPLY_W_ID, OL_QUANTITY, OL_AMOUNT, OL_DELIVERY_D FROM order_line WHERE OL_O_ID = ? AND OL_D_ID = ? AND OL_W_ID = ?");
            p.setInt(1, oid);
            p.setInt(2, d);
            p.setInt(3, w);
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next(), "every order has lines");
            }
        }

        void delivery() throws SQLException {
            int carrier = 1 + r.nextInt(10);
            for (int d = 1; d <= DISTRICTS; d++) {
                PreparedStatement p = ps("SELECT NO_O_ID FROM new_order WHERE NO_D_ID = ? AND NO_W_ID = ? ORDER BY NO_O_ID ASC LIMIT 1");
                p.setInt(1, d);
                p.setInt(2, w);
                int oid;
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        continue;
                    }
                    oid = rs.getInt("NO_O_ID");
                }
                p = ps("DELETE FROM new_order WHERE NO_O_ID = ? AND NO_D_ID = ? AND NO_W_ID = ?");
                p.setInt(1, oid);
                p.setInt(2, d);
                p.setInt(3, w);
                assertEquals(1, p.executeUpdate(), "Not running with SERIALIZABLE isolation?");
                p = ps("SELECT O_C_ID FROM oorder WHERE O_ID = ? AND O_D_ID = ? AND O_W_ID = ?");
                p.setInt(1, oid);
                p.setInt(2, d);
                p.setInt(3, w);
                int cid;
                try (ResultSet rs = p.executeQuery()) {
                    assertTrue(rs.next());
                    cid = rs.getInt("O_C_ID");
                }
                p = ps("UPDATE oorder SET O_CARRIER_ID = ? WHERE O_ID = ? AND O_D_ID = ? AND O_W_ID = ?");
                p.setInt(1, carrier);
                p.setInt(2, oid);
                p.setInt(3, d);
                p.setInt(4, w);
                assertEquals(1, p.executeUpdate());
                p = ps("UPDATE order_line SET OL_DELIVERY_D = ? WHERE OL_O_ID = ? AND OL_D_ID = ? AND OL_W_ID = ?");
                p.setTimestamp(1, new Timestamp(System.currentTimeMillis()));
                p.setInt(2, oid);
                p.setInt(3, d);
                p.setInt(4, w);
                assertTrue(p.executeUpdate() >= 5);
                p = ps("SELECT SUM(OL_AMOUNT) AS OL_TOTAL FROM order_line WHERE OL_O_ID = ? AND OL_D_ID = ? AND OL_W_ID = ?");
                p.setInt(1, oid);
                p.setInt(2, d);
                p.setInt(3, w);
                BigDecimal total;
                try (ResultSet rs = p.executeQuery()) {
                    assertTrue(rs.next());
                    total = rs.getBigDecimal("OL_TOTAL");
                }
                p = ps("UPDATE customer SET C_BALANCE = C_BALANCE + ?, C_DELIVERY_CNT = C_DELIVERY_CNT + 1 WHERE C_W_ID = ? AND C_D_ID = ? AND C_ID = ?");
                p.setBigDecimal(1, total);
                p.setInt(2, w);
                p.setInt(3, d);
                p.setInt(4, cid);
                assertEquals(1, p.executeUpdate());
            }
        }

        void stockLevel() throws SQLException {
            int d = 1 + r.nextInt(DISTRICTS);
            int threshold = 10 + r.nextInt(11);
            PreparedStatement p = ps("SELECT D_NEXT_O_ID FROM district WHERE D_W_ID = ? AND D_ID = ?");
            p.setInt(1, w);
            p.setInt(2, d);
            int next;
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next());
                next = rs.getInt(1);
            }
            p = ps("SELECT COUNT(DISTINCT (S_I_ID)) AS STOCK_COUNT FROM order_line, stock WHERE OL_W_ID = ? AND OL_D_ID = ? AND OL_O_ID < ? AND OL_O_ID >= ? AND S_W_ID = ? AND S_I_ID = OL_I_ID AND S_QUANTITY < ?");
            p.setInt(1, w);
            p.setInt(2, d);
            p.setInt(3, next);
            p.setInt(4, next - 20);
            p.setInt(5, w);
            p.setInt(6, threshold);
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next());
                assertTrue(rs.getInt("STOCK_COUNT") >= 0);
            }
        }
    }

    static final class UserAbort extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UserAbort() {
            super("New-Order rolled back: unused item number", null, false, false);
        }
    }

    interface Work {
        void run() throws SQLException;
    }

    /** Runs one transaction with BenchBase's retry rule (40001; here 40P01 too); returns whether it committed. */
    static boolean transaction(Terminal t, Work work, AtomicLong retries) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            try {
                work.run();
                t.c.commit();
                return true;
            } catch (UserAbort e) {
                t.c.rollback();
                return false;
            } catch (SQLException e) {
                t.c.rollback();
                boolean retryable = "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
                if (!retryable || attempt >= RETRIES_MAX) {
                    throw e;
                }
                retries.incrementAndGet();
            }
        }
    }

    @Test
    void fiveTransactionsKeepConsistencyConditionsOneToFour() throws Exception {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        System.out.println("TpccTest seed " + seed + " (reproduce with -Dcacdb.seed=" + seed + ")");
        try (SqlTestServer s = new SqlTestServer()) {
            try (Connection c = s.connect("reWriteBatchedInserts=true&ApplicationName=tpcc")) {
                createAndLoad(c, seed);
                checkConsistency(c);
                // EXPLAIN: the by-name lookup uses the name index, Stock-Level is an index nested loop
                String byName = explain(c, "SELECT C_FIRST, C_ID FROM customer WHERE C_W_ID = 1 AND C_D_ID = 2"
                        + " AND C_LAST = 'BARBARBAR' ORDER BY C_FIRST");
                assertTrue(byName.contains("Index Scan using idx_customer_name on customer"), byName);
                assertFalse(byName.contains("Sort"), byName);
                String stockLevel = explain(c, "SELECT COUNT(DISTINCT (S_I_ID)) AS STOCK_COUNT FROM order_line, stock"
                        + " WHERE OL_W_ID = 1 AND OL_D_ID = 1 AND OL_O_ID < 31 AND OL_O_ID >= 11 AND S_W_ID = 1"
                        + " AND S_I_ID = OL_I_ID AND S_QUANTITY < 15");
                assertTrue(stockLevel.contains("Nested Loop (index)"), stockLevel);
                assertTrue(stockLevel.contains("Index Point Lookup using stock_pkey on stock"), stockLevel);
            }
            AtomicLong retries = new AtomicLong();
            AtomicLong committed = new AtomicLong();
            AtomicLong aborted = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(TERMINALS);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < TERMINALS; i++) {
                long terminalSeed = seed + i;
                int w = 1 + i % WAREHOUSES;
                futures.add(pool.submit(() -> {
                    try (Connection c = s.connect("reWriteBatchedInserts=true")) {
                        Terminal t = new Terminal(c, terminalSeed, w);
                        for (int n = 0; n < TRANSACTIONS_PER_TERMINAL; n++) {
                            int pick = t.r.nextInt(100);
                            Work work = pick < 45 ? t::newOrder : pick < 88 ? t::payment : pick < 92 ? t::orderStatus
                                    : pick < 96 ? t::delivery : t::stockLevel;
                            if (transaction(t, work, retries)) {
                                committed.incrementAndGet();
                            } else {
                                aborted.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            pool.shutdown();
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
            System.out.println("TpccTest: " + committed + " committed, " + aborted + " New-Order rollbacks, "
                    + retries + " retries");
            assertEquals(TERMINALS * TRANSACTIONS_PER_TERMINAL, committed.get() + aborted.get());
            try (Connection c = s.connect()) {
                checkConsistency(c);
            }
        }
    }

    static String explain(Connection c, String sql) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("EXPLAIN " + sql)) {
            while (rs.next()) {
                sb.append(rs.getString(1)).append('\n');
            }
        }
        return sb.toString();
    }

    static Map<String, Long> perDistrict(Connection c, String sql) throws SQLException {
        Map<String, Long> m = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                m.put(rs.getInt(1) + "/" + rs.getInt(2), rs.getLong(3));
            }
        }
        return m;
    }

    /** TPC-C consistency conditions 1-4 (spec §3.3.2.1-4). */
    static void checkConsistency(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            // 1: W_YTD = sum(D_YTD)
            try (ResultSet rs = st.executeQuery("SELECT w_id, w_ytd, SUM(d_ytd) FROM warehouse, district"
                    + " WHERE w_id = d_w_id GROUP BY w_id, w_ytd HAVING w_ytd <> SUM(d_ytd)")) {
                assertFalse(rs.next(), "condition 1 fails for warehouse " + (rs.getRow() > 0 ? rs.getInt(1) : 0));
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM warehouse JOIN district ON w_id = d_w_id")) {
                assertTrue(rs.next());
                assertEquals(WAREHOUSES * DISTRICTS, rs.getInt(1));
            }
            // 3: no gaps in NEW-ORDER ids
            try (ResultSet rs = st.executeQuery("SELECT no_w_id, no_d_id FROM new_order GROUP BY no_w_id, no_d_id"
                    + " HAVING MAX(no_o_id) - MIN(no_o_id) + 1 <> COUNT(*)")) {
                assertFalse(rs.next(), "condition 3");
            }
        }
        // 2: D_NEXT_O_ID - 1 = max(O_ID) = max(NO_O_ID)
        Map<String, Long> next = perDistrict(c, "SELECT d_w_id, d_id, d_next_o_id - 1 FROM district");
        Map<String, Long> maxOrder = perDistrict(c, "SELECT o_w_id, o_d_id, MAX(o_id) FROM oorder GROUP BY o_w_id, o_d_id");
        Map<String, Long> maxNewOrder = perDistrict(c, "SELECT no_w_id, no_d_id, MAX(no_o_id) FROM new_order"
                + " GROUP BY no_w_id, no_d_id");
        assertEquals(WAREHOUSES * DISTRICTS, next.size());
        assertEquals(next, maxOrder, "condition 2: D_NEXT_O_ID - 1 = max(O_ID)");
        for (Map.Entry<String, Long> e : maxNewOrder.entrySet()) {
            assertEquals(next.get(e.getKey()), e.getValue(), "condition 2: max(NO_O_ID) of district " + e.getKey());
        }
        // 4: sum(O_OL_CNT) = count of ORDER-LINE rows
        Map<String, Long> lines = perDistrict(c, "SELECT o_w_id, o_d_id, SUM(o_ol_cnt) FROM oorder GROUP BY o_w_id, o_d_id");
        Map<String, Long> counted = perDistrict(c, "SELECT ol_w_id, ol_d_id, COUNT(*) FROM order_line"
                + " GROUP BY ol_w_id, ol_d_id");
        assertEquals(lines, counted, "condition 4");
    }
}
