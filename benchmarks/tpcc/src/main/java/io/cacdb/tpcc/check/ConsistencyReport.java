package io.cacdb.tpcc.check;

import java.util.List;

/**
 * Results of the TPC-C consistency conditions (spec §3.3.2) that {@link ConsistencyCheck} ran.
 *
 * @param conditions one entry per condition checked
 */
public record ConsistencyReport(List<Condition> conditions) {

    /** Messages kept per condition: enough to diagnose, bounded for huge databases. */
    public static final int SAMPLE_VIOLATIONS_MAX = 10;

    /**
     * One condition.
     *
     * @param number      the spec's condition number (§3.3.2.x)
     * @param description what must hold
     * @param checked     how many warehouses or districts were checked
     * @param violations  how many of them broke it
     * @param samples     up to {@link #SAMPLE_VIOLATIONS_MAX} descriptions of violations
     */
    public record Condition(int number, String description, long checked, long violations, List<String> samples) {
        public boolean ok() {
            return violations == 0;
        }
    }

    public boolean ok() {
        return conditions.stream().allMatch(Condition::ok);
    }

    /** One line per condition, for logs. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Condition c : conditions) {
            sb.append(String.format("condition %d %s: %s (%d checked, %d violations)%s%n", c.number(),
                    c.ok() ? "OK" : "VIOLATED", c.description(), c.checked(), c.violations(),
                    c.samples().isEmpty() ? "" : " e.g. " + String.join("; ", c.samples())));
        }
        return sb.toString();
    }
}
