package io.cacdb.server.sql.parse;

import java.util.List;

/**
 * One statement of a query string: its text, where it starts in the whole string (to report error positions the
 * way PostgreSQL does, relative to the whole string), and its tokens (offsets relative to {@code text}).
 */
public record StatementText(String text, int offset, List<Token> tokens) {

    public StatementText {
        tokens = List.copyOf(tokens);
    }

    public boolean isEmpty() {
        return tokens.isEmpty();
    }
}
