package io.cacdb.tpcc.txn;

import io.cacdb.tpcc.random.NURandConstants;
import io.cacdb.tpcc.random.TpccRandom;
import io.cacdb.tpcc.schema.TpccSchema;

/**
 * What a terminal's inputs depend on: its home warehouse (fixed, spec §2.4.1.1), its Stock-Level district (fixed per
 * terminal, §2.8.1.2), how many warehouses there are (for remote ones), and the run's NURand constants.
 */
public record TerminalHome(int warehouses, int warehouse, int stockLevelDistrict, NURandConstants constants) {

    public TerminalHome {
        if (warehouse < 1 || warehouse > warehouses) {
            throw new IllegalArgumentException("home warehouse " + warehouse + " not in 1.." + warehouses);
        }
        if (stockLevelDistrict < 1 || stockLevelDistrict > TpccSchema.DISTRICTS_PER_WAREHOUSE) {
            throw new IllegalArgumentException("district " + stockLevelDistrict + " not in 1..10");
        }
    }

    /** C_ID = NURand(1023, 1, 3000). */
    public int customerId(TpccRandom r) {
        return r.nurand(NURandConstants.A_C_ID, 1, TpccSchema.CUSTOMERS_PER_DISTRICT, constants.cId());
    }

    /** C_LAST = the name of NURand(255, 0, 999) with the run's constant. */
    public String customerLastName(TpccRandom r) {
        return TpccRandom.lastName(r.nurand(NURandConstants.A_C_LAST, 0, 999, constants.cLastRun()));
    }

    /** OL_I_ID = NURand(8191, 1, 100000). */
    public int itemId(TpccRandom r) {
        return r.nurand(NURandConstants.A_OL_I_ID, 1, TpccSchema.ITEMS, constants.olIId());
    }

    /** A warehouse other than the home one, uniformly (only meaningful when there are several). */
    public int otherWarehouse(TpccRandom r) {
        int o = r.uniform(1, warehouses - 1);
        return o >= warehouse ? o + 1 : o;
    }

    public int randomDistrict(TpccRandom r) {
        return r.uniform(1, TpccSchema.DISTRICTS_PER_WAREHOUSE);
    }
}
