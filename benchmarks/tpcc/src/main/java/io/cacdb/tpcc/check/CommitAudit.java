package io.cacdb.tpcc.check;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The acknowledged-commit audit: every New-Order whose COMMIT returned OK to a terminal must be in the database after
 * the run, whatever happened in between (server killed, failover). TPC-C's consistency conditions can hold on a
 * database that lost the last committed orders of a district (they compare the district with itself); this cannot.
 *
 * <p>For each acknowledged (w, d, o_id, ol_cnt):
 * <ul>
 *   <li>the ORDER row exists (else it is <em>lost</em>), with O_OL_CNT = ol_cnt;</li>
 *   <li>exactly ol_cnt ORDER-LINE rows exist;</li>
 *   <li>a NEW-ORDER row exists if and only if the order is undelivered (O_CARRIER_ID NULL);</li>
 *   <li>o_id &lt; D_NEXT_O_ID of its district.</li>
 * </ul>
 * A present order failing the other checks is <em>damaged</em>. Reads district by district, only the order ids at or
 * above the district's lowest acknowledged one.
 *
 * @param acknowledged acknowledged New-Orders checked
 * @param lost         acknowledged orders with no ORDER row
 * @param damaged      acknowledged orders present but with missing or extra lines, a NEW-ORDER row that
 *                     contradicts the carrier, a different O_OL_CNT, or an id not below D_NEXT_O_ID
 * @param notRecorded  acknowledgements not kept because the log's budget ran out (then the audit is incomplete)
 * @param samples      up to {@link ConsistencyReport#SAMPLE_VIOLATIONS_MAX} descriptions of lost or damaged orders
 */
public record CommitAudit(long acknowledged, long lost, long damaged, long notRecorded, List<String> samples) {

    public boolean ok() {
        return lost == 0 && damaged == 0;
    }

    public boolean complete() {
        return notRecorded == 0;
    }

    /** Audits the sorted, packed entries of {@link AcknowledgedNewOrders#merge}. */
    public static CommitAudit audit(Connection c, long[] sortedAcknowledged, long notRecorded) throws SQLException {
        long lost = 0;
        long damaged = 0;
        List<String> samples = new ArrayList<>();
        try (PreparedStatement orders = c.prepareStatement(
                "SELECT o_id, o_ol_cnt, o_carrier_id FROM oorder WHERE o_w_id = ? AND o_d_id = ? AND o_id >= ?");
             PreparedStatement newOrders = c.prepareStatement(
                     "SELECT no_o_id FROM new_order WHERE no_w_id = ? AND no_d_id = ? AND no_o_id >= ?");
             PreparedStatement lines = c.prepareStatement(
                     "SELECT ol_o_id FROM order_line WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id >= ?");
             PreparedStatement district = c.prepareStatement(
                     "SELECT d_next_o_id FROM district WHERE d_w_id = ? AND d_id = ?")) {
            int i = 0;
            while (i < sortedAcknowledged.length) {
                int w = AcknowledgedNewOrders.warehouse(sortedAcknowledged[i]);
                int d = AcknowledgedNewOrders.district(sortedAcknowledged[i]);
                int from = AcknowledgedNewOrders.orderId(sortedAcknowledged[i]);
                int end = i;
                while (end < sortedAcknowledged.length && AcknowledgedNewOrders.warehouse(sortedAcknowledged[end]) == w
                        && AcknowledgedNewOrders.district(sortedAcknowledged[end]) == d) {
                    end++;
                }
                // The district's state at and above its lowest acknowledged order.
                Map<Integer, int[]> orderRows = new HashMap<>(); // o_id -> {o_ol_cnt, carrier null ? 1 : 0}
                bind(orders, w, d, from);
                try (ResultSet rs = orders.executeQuery()) {
                    while (rs.next()) {
                        int oId = rs.getInt(1);
                        int olCnt = rs.getInt(2);
                        rs.getInt(3);
                        orderRows.put(oId, new int[] {olCnt, rs.wasNull() ? 1 : 0});
                    }
                }
                Set<Integer> newOrderRows = new HashSet<>();
                bind(newOrders, w, d, from);
                try (ResultSet rs = newOrders.executeQuery()) {
                    while (rs.next()) {
                        newOrderRows.add(rs.getInt(1));
                    }
                }
                Map<Integer, Integer> lineCounts = new HashMap<>();
                bind(lines, w, d, from);
                try (ResultSet rs = lines.executeQuery()) {
                    while (rs.next()) {
                        lineCounts.merge(rs.getInt(1), 1, Integer::sum);
                    }
                }
                district.setInt(1, w);
                district.setInt(2, d);
                long nextO;
                try (ResultSet rs = district.executeQuery()) {
                    nextO = rs.next() ? rs.getLong(1) : -1;
                }
                for (int k = i; k < end; k++) {
                    int oId = AcknowledgedNewOrders.orderId(sortedAcknowledged[k]);
                    int olCnt = AcknowledgedNewOrders.orderLines(sortedAcknowledged[k]);
                    String at = "w " + w + " d " + d + " o_id " + oId + ": ";
                    int[] row = orderRows.get(oId);
                    if (row == null) {
                        lost++;
                        sample(samples, at + "no ORDER row (lost)");
                        continue;
                    }
                    String problem = null;
                    boolean undelivered = row[1] == 1;
                    int lineCount = lineCounts.getOrDefault(oId, 0);
                    if (row[0] != olCnt) {
                        problem = "o_ol_cnt " + row[0] + ", acknowledged with " + olCnt + " lines";
                    } else if (lineCount != olCnt) {
                        problem = lineCount + " ORDER-LINE rows, acknowledged with " + olCnt;
                    } else if (undelivered != newOrderRows.contains(oId)) {
                        problem = undelivered ? "undelivered but no NEW-ORDER row" : "delivered but NEW-ORDER row left";
                    } else if (oId >= nextO) {
                        problem = "not below d_next_o_id " + nextO;
                    }
                    if (problem != null) {
                        damaged++;
                        sample(samples, at + problem);
                    }
                }
                i = end;
            }
        }
        return new CommitAudit(sortedAcknowledged.length, lost, damaged, notRecorded, List.copyOf(samples));
    }

    private static void bind(PreparedStatement ps, int w, int d, int from) throws SQLException {
        ps.setInt(1, w);
        ps.setInt(2, d);
        ps.setInt(3, from);
    }

    private static void sample(List<String> samples, String s) {
        if (samples.size() < ConsistencyReport.SAMPLE_VIOLATIONS_MAX) {
            samples.add(s);
        }
    }
}
