package io.cacdb.tpcc.txn;

import java.time.Duration;

/**
 * The five TPC-C transactions with their spec pacing (§5.2.5.7): a fixed keying time before and a mean think time
 * after each one, used only with spec pacing on.
 */
public enum TransactionType {
    NEW_ORDER("new_order", "New-Order", Duration.ofSeconds(18), Duration.ofSeconds(12)),
    PAYMENT("payment", "Payment", Duration.ofSeconds(3), Duration.ofSeconds(12)),
    ORDER_STATUS("order_status", "Order-Status", Duration.ofSeconds(2), Duration.ofSeconds(10)),
    DELIVERY("delivery", "Delivery", Duration.ofSeconds(2), Duration.ofSeconds(5)),
    STOCK_LEVEL("stock_level", "Stock-Level", Duration.ofSeconds(2), Duration.ofSeconds(5));

    private final String key;
    private final String displayName;
    private final Duration keyingTime;
    private final Duration meanThinkTime;

    TransactionType(String key, String displayName, Duration keyingTime, Duration meanThinkTime) {
        this.key = key;
        this.displayName = displayName;
        this.keyingTime = keyingTime;
        this.meanThinkTime = meanThinkTime;
    }

    /** snake_case name used in CSV columns and JSON keys. */
    public String key() {
        return key;
    }

    public String displayName() {
        return displayName;
    }

    public Duration keyingTime() {
        return keyingTime;
    }

    public Duration meanThinkTime() {
        return meanThinkTime;
    }
}
