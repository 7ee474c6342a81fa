package io.cacdb.server.session;

/** How one Execute of a portal ended. */
public sealed interface ExecuteOutcome {

    /** The portal ran to completion: CommandComplete with this tag. */
    record Completed(String commandTag) implements ExecuteOutcome {
    }

    /** The row limit was reached and rows remain: PortalSuspended; a later Execute continues. */
    record Suspended() implements ExecuteOutcome {
    }

    /** The statement was empty: EmptyQueryResponse. */
    record EmptyQuery() implements ExecuteOutcome {
    }

    ExecuteOutcome SUSPENDED = new Suspended();
    ExecuteOutcome EMPTY_QUERY = new EmptyQuery();

    static ExecuteOutcome completed(String commandTag) {
        return new Completed(commandTag);
    }
}
