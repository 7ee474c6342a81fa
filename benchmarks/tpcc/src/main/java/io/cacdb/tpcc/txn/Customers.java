package io.cacdb.tpcc.txn;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The by-last-name customer selection shared by Payment and Order-Status (spec §2.5.2.2, §2.6.2.2). */
final class Customers {

    /** The chosen customer's id and (if the query has it) credit. */
    record Chosen(int id, String credit) {
    }

    /**
     * Reads every row of {@code byName} (sorted by C_FIRST) and picks the one at position ⌈n/2⌉ (1-based).
     *
     * @param idColumn     column of C_ID
     * @param creditColumn column of C_CREDIT, or 0 if the query does not select it
     */
    static Chosen middle(PreparedStatement byName, int idColumn, int creditColumn, String what) throws SQLException {
        int[] ids = new int[16];
        String[] credits = new String[16];
        int n = 0;
        try (ResultSet rs = byName.executeQuery()) {
            while (rs.next()) {
                if (n == ids.length) {
                    ids = java.util.Arrays.copyOf(ids, n * 2);
                    credits = java.util.Arrays.copyOf(credits, n * 2);
                }
                ids[n] = rs.getInt(idColumn);
                credits[n] = creditColumn > 0 ? rs.getString(creditColumn) : null;
                n++;
            }
        }
        if (n == 0) {
            // Customers 1..1000 of every district carry each of the 1,000 names once, so this means lost rows.
            throw new SQLException(what + ": no such customer", "02000");
        }
        int chosen = (n + 1) / 2 - 1; // position ceil(n/2), 1-based
        return new Chosen(ids[chosen], credits[chosen]);
    }

    private Customers() {
    }
}
