package io.cacdb.tpcc.check;

import io.cacdb.tpcc.schema.TpccSchema;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TPC-C consistency conditions 1–5, 8 and 9 (spec §3.3.2), checked warehouse by warehouse and district by district
 * with single-aggregate point queries on primary-key prefixes (plus one GROUP BY over HISTORY per warehouse), so the
 * check needs only the SQL surface the benchmark itself uses and stays cheap at small scale.
 *
 * <ol>
 *   <li>W_YTD = Σ D_YTD of its districts.</li>
 *   <li>D_NEXT_O_ID − 1 = max(O_ID) = max(NO_O_ID) (the NEW-ORDER part only when the district has any).</li>
 *   <li>max(NO_O_ID) − min(NO_O_ID) + 1 = number of NEW-ORDER rows (no gaps).</li>
 *   <li>Σ O_OL_CNT = number of ORDER-LINE rows.</li>
 *   <li>(aggregate form) orders without a carrier are exactly the NEW-ORDER rows: same count, same lowest id.</li>
 *   <li value="8">W_YTD = Σ H_AMOUNT of the warehouse's HISTORY.</li>
 *   <li>D_YTD = Σ H_AMOUNT of the district's HISTORY.</li>
 * </ol>
 *
 * Conditions 6, 7, 10 and 12 need per-order or per-customer joins over the largest tables; 11 only holds before
 * any Delivery ran. They are not checked (see docs/tpcc.md).
 *
 * <p>Run it on a quiescent database: concurrent transactions make the separate queries disagree.
 */
public final class ConsistencyCheck {

    private ConsistencyCheck() {
    }

    /** Checks warehouses 1..{@code warehouses} on {@code c} (auto-commit or not; the caller owns it). */
    public static ConsistencyReport check(Connection c, int warehouses) throws SQLException {
        Tally c1 = new Tally(1, "W_YTD = sum(D_YTD)");
        Tally c2 = new Tally(2, "D_NEXT_O_ID - 1 = max(O_ID) = max(NO_O_ID)");
        Tally c3 = new Tally(3, "max(NO_O_ID) - min(NO_O_ID) + 1 = count(NEW-ORDER)");
        Tally c4 = new Tally(4, "sum(O_OL_CNT) = count(ORDER-LINE)");
        Tally c5 = new Tally(5, "orders without carrier = NEW-ORDER rows (count and lowest id)");
        Tally c8 = new Tally(8, "W_YTD = sum(H_AMOUNT)");
        Tally c9 = new Tally(9, "D_YTD = sum(H_AMOUNT)");
        try (Queries q = new Queries(c)) {
            for (int w = 1; w <= warehouses; w++) {
                BigDecimal wYtd = q.decimal(q.warehouseYtd, w);
                BigDecimal sumDYtd = q.decimal(q.sumDistrictYtd, w);
                c1.check(wYtd != null && sumDYtd != null && wYtd.compareTo(sumDYtd) == 0,
                        "w " + w + ": w_ytd " + wYtd + " vs sum(d_ytd) " + sumDYtd);
                Map<Integer, BigDecimal> history = q.historyByDistrict(w);
                BigDecimal sumHistory = history.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
                c8.check(wYtd != null && wYtd.compareTo(sumHistory) == 0,
                        "w " + w + ": w_ytd " + wYtd + " vs sum(h_amount) " + sumHistory);
                for (int d = 1; d <= TpccSchema.DISTRICTS_PER_WAREHOUSE; d++) {
                    String at = "w " + w + " d " + d + ": ";
                    Long nextO = q.integer(q.districtNextOrder, w, d);
                    BigDecimal dYtd = q.decimal(q.districtYtd, w, d);
                    Long maxO = q.integer(q.maxOrder, w, d);
                    Long maxNo = q.integer(q.maxNewOrder, w, d);
                    Long minNo = q.integer(q.minNewOrder, w, d);
                    long countNo = q.integer(q.countNewOrder, w, d);
                    Long sumOlCnt = q.integer(q.sumOrderLineCount, w, d);
                    long countOl = q.integer(q.countOrderLines, w, d);
                    long countUndelivered = q.integer(q.countUndelivered, w, d);
                    Long minUndelivered = q.integer(q.minUndelivered, w, d);
                    c2.check(nextO != null && maxO != null && nextO - 1 == maxO
                                    && (countNo == 0 || (maxNo != null && maxNo.longValue() == maxO)),
                            at + "d_next_o_id " + nextO + ", max(o_id) " + maxO + ", max(no_o_id) " + maxNo);
                    c3.check(countNo == 0 || (maxNo != null && minNo != null && maxNo - minNo + 1 == countNo),
                            at + "max(no_o_id) " + maxNo + ", min " + minNo + ", count " + countNo);
                    c4.check(sumOlCnt != null ? sumOlCnt == countOl : countOl == 0,
                            at + "sum(o_ol_cnt) " + sumOlCnt + " vs order lines " + countOl);
                    c5.check(countUndelivered == countNo && java.util.Objects.equals(minUndelivered, minNo),
                            at + "undelivered orders " + countUndelivered + " from " + minUndelivered
                                    + " vs new-order rows " + countNo + " from " + minNo);
                    BigDecimal dHistory = history.getOrDefault(d, BigDecimal.ZERO);
                    c9.check(dYtd != null && dYtd.compareTo(dHistory) == 0,
                            at + "d_ytd " + dYtd + " vs sum(h_amount) " + dHistory);
                }
            }
        }
        return new ConsistencyReport(List.of(c1.done(), c2.done(), c3.done(), c4.done(), c5.done(), c8.done(),
                c9.done()));
    }

    private static final class Tally {
        final int number;
        final String description;
        long checked;
        long violations;
        final List<String> samples = new ArrayList<>();

        Tally(int number, String description) {
            this.number = number;
            this.description = description;
        }

        void check(boolean holds, String detail) {
            checked++;
            if (!holds) {
                violations++;
                if (samples.size() < ConsistencyReport.SAMPLE_VIOLATIONS_MAX) {
                    samples.add(detail);
                }
            }
        }

        ConsistencyReport.Condition done() {
            return new ConsistencyReport.Condition(number, description, checked, violations, List.copyOf(samples));
        }
    }

    /** The prepared statements of one check, closed together. */
    private static final class Queries implements AutoCloseable {
        final List<PreparedStatement> all = new ArrayList<>();
        final PreparedStatement warehouseYtd;
        final PreparedStatement sumDistrictYtd;
        final PreparedStatement history;
        final PreparedStatement districtNextOrder;
        final PreparedStatement districtYtd;
        final PreparedStatement maxOrder;
        final PreparedStatement maxNewOrder;
        final PreparedStatement minNewOrder;
        final PreparedStatement countNewOrder;
        final PreparedStatement sumOrderLineCount;
        final PreparedStatement countOrderLines;
        final PreparedStatement countUndelivered;
        final PreparedStatement minUndelivered;

        Queries(Connection c) throws SQLException {
            try {
                warehouseYtd = prepare(c, "SELECT w_ytd FROM warehouse WHERE w_id = ?");
                sumDistrictYtd = prepare(c, "SELECT SUM(d_ytd) AS total FROM district WHERE d_w_id = ?");
                history = prepare(c, "SELECT h_d_id, SUM(h_amount) AS total FROM history WHERE h_w_id = ? "
                        + "GROUP BY h_d_id");
                districtNextOrder = prepare(c, "SELECT d_next_o_id FROM district WHERE d_w_id = ? AND d_id = ?");
                districtYtd = prepare(c, "SELECT d_ytd FROM district WHERE d_w_id = ? AND d_id = ?");
                maxOrder = prepare(c, "SELECT MAX(o_id) AS m FROM oorder WHERE o_w_id = ? AND o_d_id = ?");
                maxNewOrder = prepare(c, "SELECT MAX(no_o_id) AS m FROM new_order WHERE no_w_id = ? AND no_d_id = ?");
                minNewOrder = prepare(c, "SELECT MIN(no_o_id) AS m FROM new_order WHERE no_w_id = ? AND no_d_id = ?");
                countNewOrder = prepare(c, "SELECT COUNT(*) AS n FROM new_order WHERE no_w_id = ? AND no_d_id = ?");
                sumOrderLineCount = prepare(c, "SELECT SUM(o_ol_cnt) AS n FROM oorder WHERE o_w_id = ? AND o_d_id = ?");
                countOrderLines = prepare(c, "SELECT COUNT(*) AS n FROM order_line WHERE ol_w_id = ? AND ol_d_id = ?");
                countUndelivered = prepare(c, "SELECT COUNT(*) AS n FROM oorder WHERE o_w_id = ? AND o_d_id = ? "
                        + "AND o_carrier_id IS NULL");
                minUndelivered = prepare(c, "SELECT MIN(o_id) AS m FROM oorder WHERE o_w_id = ? AND o_d_id = ? "
                        + "AND o_carrier_id IS NULL");
            } catch (SQLException e) {
                close();
                throw e;
            }
        }

        private PreparedStatement prepare(Connection c, String sql) throws SQLException {
            PreparedStatement ps = c.prepareStatement(sql);
            all.add(ps);
            return ps;
        }

        /** The single value of a one-row, one-column query; null if SQL NULL. */
        Long integer(PreparedStatement ps, int... keys) throws SQLException {
            bind(ps, keys);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long v = rs.getLong(1);
                return rs.wasNull() ? null : v;
            }
        }

        BigDecimal decimal(PreparedStatement ps, int... keys) throws SQLException {
            bind(ps, keys);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBigDecimal(1) : null;
            }
        }

        Map<Integer, BigDecimal> historyByDistrict(int w) throws SQLException {
            bind(history, w);
            Map<Integer, BigDecimal> m = new HashMap<>();
            try (ResultSet rs = history.executeQuery()) {
                while (rs.next()) {
                    m.put(rs.getInt(1), rs.getBigDecimal(2));
                }
            }
            return m;
        }

        private static void bind(PreparedStatement ps, int... keys) throws SQLException {
            for (int i = 0; i < keys.length; i++) {
                ps.setInt(i + 1, keys[i]);
            }
        }

        @Override
        public void close() throws SQLException {
            SQLException first = null;
            for (PreparedStatement ps : all) {
                try {
                    ps.close();
                } catch (SQLException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
