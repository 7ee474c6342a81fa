package io.cacdb.dax.cluster;

/**
 * Replication settings of a cluster: each segment has {@code replicas} (N) copies, a write completes at
 * {@code writeQuorum} (W) durable acknowledgements, a quorum read waits for {@code readQuorum} (R) replies.
 * The relations between them are checked against a concrete cluster map by {@link ClusterMap}.
 */
public record QuorumConfig(int replicas, int writeQuorum, int readQuorum) {

    /** Aurora's shape, also used by the CAC-DB experiments: 6 copies, 2 per zone over 3 zones, W = 4, R = 3. */
    public static final QuorumConfig DEFAULT = new QuorumConfig(6, 4, 3);

    public QuorumConfig {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas (N) must be >= 1, was " + replicas);
        }
        if (writeQuorum < 1 || writeQuorum > replicas) {
            throw new IllegalArgumentException("write quorum W must be in 1..N=" + replicas + ", was " + writeQuorum);
        }
        if (readQuorum < 1 || readQuorum > replicas) {
            throw new IllegalArgumentException("read quorum R must be in 1..N=" + replicas + ", was " + readQuorum);
        }
        if (readQuorum + writeQuorum <= replicas) {
            throw new IllegalArgumentException("R + W must exceed N so every read quorum meets every write quorum: R="
                    + readQuorum + " W=" + writeQuorum + " N=" + replicas);
        }
        if (2 * writeQuorum <= replicas) {
            throw new IllegalArgumentException("W must exceed N/2 so two write quorums always overlap: W="
                    + writeQuorum + " N=" + replicas);
        }
    }

    /**
     * Replicas that must acknowledge a FENCE in a segment so that no write of an older epoch can ever again reach
     * W there: N − W + 1.
     */
    public int fenceQuorum() {
        return replicas - writeQuorum + 1;
    }
}
