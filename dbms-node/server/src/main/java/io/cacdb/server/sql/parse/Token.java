package io.cacdb.server.sql.parse;

import java.util.Locale;

/**
 * A lexical token of SQL text: enough of PostgreSQL's lexer to split a query string into statements and to read the
 * statements the SQL parser library does not handle (transaction control, SET, SHOW). {@code start} is the offset of
 * the token's first character in the text it came from.
 */
public record Token(Kind kind, String text, int start) {

    public enum Kind {
        /** A keyword or unquoted identifier; {@link #text} is folded to lower case. */
        WORD,
        /** A double-quoted identifier, without its quotes. */
        QUOTED_IDENTIFIER,
        /** A string literal ('..', E'..', $$..$$), its value. */
        STRING,
        NUMBER,
        /** {@code $n}. */
        PARAMETER,
        /** Any other character or operator. */
        SYMBOL,
        /** The statement separator. */
        SEMICOLON
    }

    public boolean is(String word) {
        return kind == Kind.WORD && text.equals(word);
    }

    public boolean isSymbol(String s) {
        return kind == Kind.SYMBOL && text.equals(s);
    }

    /** The token as a name: a word or quoted identifier; string literals too (SET x = 'v'). */
    public String value() {
        return kind == Kind.WORD ? text.toLowerCase(Locale.ROOT) : text;
    }
}
