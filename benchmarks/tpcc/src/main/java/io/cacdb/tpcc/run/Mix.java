package io.cacdb.tpcc.run;

import io.cacdb.tpcc.txn.TransactionType;

/**
 * Relative weights of the five transactions. The default 45/43/4/4/4 is what BenchBase and go-tpc use; the spec
 * (§5.2.3) only sets minimums: Payment ≥ 43%, Order-Status, Delivery and Stock-Level ≥ 4% each.
 */
public record Mix(int newOrder, int payment, int orderStatus, int delivery, int stockLevel) {

    public static final Mix DEFAULT = new Mix(45, 43, 4, 4, 4);

    public Mix {
        if (newOrder < 0 || payment < 0 || orderStatus < 0 || delivery < 0 || stockLevel < 0) {
            throw new IllegalArgumentException("negative weight in mix " + this);
        }
        if (newOrder + payment + orderStatus + delivery + stockLevel == 0) {
            throw new IllegalArgumentException("mix has no transactions");
        }
    }

    /** Parses "45,43,4,4,4" (New-Order, Payment, Order-Status, Delivery, Stock-Level). */
    public static Mix parse(String s) {
        String[] p = s.split(",");
        if (p.length != 5) {
            throw new IllegalArgumentException("a mix is five weights NO,P,OS,D,SL, got '" + s + "'");
        }
        int[] w = new int[5];
        for (int i = 0; i < 5; i++) {
            w[i] = Integer.parseInt(p[i].strip());
        }
        return new Mix(w[0], w[1], w[2], w[3], w[4]);
    }

    public int weight(TransactionType t) {
        return switch (t) {
            case NEW_ORDER -> newOrder;
            case PAYMENT -> payment;
            case ORDER_STATUS -> orderStatus;
            case DELIVERY -> delivery;
            case STOCK_LEVEL -> stockLevel;
        };
    }

    public int total() {
        return newOrder + payment + orderStatus + delivery + stockLevel;
    }

    /** True if a full deck meets the spec's minimum mix (§5.2.3). */
    public boolean meetsSpecMinimum() {
        return payment * 1000 >= total() * 430 && orderStatus * 100 >= total() * 4 && delivery * 100 >= total() * 4
                && stockLevel * 100 >= total() * 4;
    }

    @Override
    public String toString() {
        return newOrder + "," + payment + "," + orderStatus + "," + delivery + "," + stockLevel;
    }
}
