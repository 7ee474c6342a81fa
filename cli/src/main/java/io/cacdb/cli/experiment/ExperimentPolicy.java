package io.cacdb.cli.experiment;

import io.cacdb.replay.policy.SlowStandbyPolicy;
import io.cacdb.server.node.NodeConfig;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The four ways of surviving the active's loss that the failover experiment compares (CAC-DB Table 6.3): the three
 * slow-standby policies of a hot standby (DESIGN §6), and {@link #RESTART_ONLY}, no standby at all — the killed node
 * is started again and recovers cold (the paper's DAX baseline).
 */
public enum ExperimentPolicy {
    INCREASE_READ_IO(SlowStandbyPolicy.INCREASE_READ_IO),
    ACTIVE_WAIT(SlowStandbyPolicy.ACTIVE_WAIT),
    UNSAFE_EVICTION(SlowStandbyPolicy.UNSAFE_EVICTION),
    RESTART_ONLY(null);

    private final SlowStandbyPolicy standbyPolicy;

    ExperimentPolicy(SlowStandbyPolicy standbyPolicy) {
        this.standbyPolicy = standbyPolicy;
    }

    /** The standby's policy; empty for {@link #RESTART_ONLY}, which runs without a standby. */
    public Optional<SlowStandbyPolicy> standbyPolicy() {
        return Optional.ofNullable(standbyPolicy);
    }

    public boolean hasStandby() {
        return standbyPolicy != null;
    }

    /** The command-line word: {@code increase-read-io}, {@code active-wait}, {@code unsafe-eviction}, ... */
    public String word() {
        return standbyPolicy != null ? NodeConfig.policyWord(standbyPolicy)
                : name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The policy a word names, or an exception listing the words. */
    public static ExperimentPolicy parse(String word) {
        for (ExperimentPolicy p : values()) {
            if (p.word().equalsIgnoreCase(word.strip())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown policy '" + word + "': expected one of "
                + Arrays.stream(values()).map(ExperimentPolicy::word).toList());
    }
}
