package io.cacdb.server.node;

import java.util.Locale;
import java.util.Optional;

/** What a node starts as ({@code role} in its configuration; {@code docs/failover.md}). */
public enum StartRole {
    /**
     * Become active: fence, recover, serve. Refused (the start fails) if another node holds a live lease: an old
     * active that comes back must not depose the one that took over.
     */
    ACTIVE("active"),
    /** Become a standby: tail and replay the log, watch the active, take over when it is gone. */
    STANDBY("standby"),
    /** Active if no other node holds a live lease, standby otherwise (the default: a returning node rejoins). */
    AUTO("auto");

    private final String word;

    StartRole(String word) {
        this.word = word;
    }

    /** The word in the configuration file. */
    public String word() {
        return word;
    }

    public static Optional<StartRole> parse(String s) {
        String w = s.strip().toLowerCase(Locale.ROOT);
        for (StartRole r : values()) {
            if (r.word.equals(w)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
