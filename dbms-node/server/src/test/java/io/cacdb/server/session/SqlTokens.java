package io.cacdb.server.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tokenizer of {@link TinySqlBackend}: identifiers (folded to lower case unless quoted), numbers, 'strings'
 * (with '' escapes), $n parameters and punctuation. Part of a test stand-in for the SQL layer, not the product.
 */
final class SqlTokens {

    enum Kind { WORD, QUOTED_WORD, NUMBER, STRING, PARAM, SYMBOL, END }

    record Token(Kind kind, String text, int position) {
        boolean is(String word) {
            return (kind == Kind.WORD || kind == Kind.SYMBOL) && text.equals(word);
        }
    }

    private final List<Token> tokens;
    private int at;

    SqlTokens(String sql) throws SqlException {
        this.tokens = tokenize(sql);
    }

    static List<Token> tokenize(String sql) throws SqlException {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (Character.isLetter(c) || c == '_') {
                int s = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Token(Kind.WORD, sql.substring(s, i).toLowerCase(Locale.ROOT), s + 1));
            } else if (c == '"') {
                int end = sql.indexOf('"', i + 1);
                if (end < 0) {
                    throw syntax("unterminated quoted identifier", i + 1);
                }
                out.add(new Token(Kind.QUOTED_WORD, sql.substring(i + 1, end), i + 1));
                i = end + 1;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                int s = i;
                while (i < n && (Character.isDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
                    i++;
                }
                if (i < n && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
                    i++;
                    if (i < n && (sql.charAt(i) == '+' || sql.charAt(i) == '-')) {
                        i++;
                    }
                    while (i < n && Character.isDigit(sql.charAt(i))) {
                        i++;
                    }
                }
                out.add(new Token(Kind.NUMBER, sql.substring(s, i), s + 1));
            } else if (c == '\'') {
                StringBuilder sb = new StringBuilder();
                int s = i;
                i++;
                while (true) {
                    if (i >= n) {
                        throw syntax("unterminated quoted string", s + 1);
                    }
                    char d = sql.charAt(i);
                    if (d == '\'') {
                        if (i + 1 < n && sql.charAt(i + 1) == '\'') {
                            sb.append('\'');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    sb.append(d);
                    i++;
                }
                out.add(new Token(Kind.STRING, sb.toString(), s + 1));
            } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
                int s = i;
                i++;
                while (i < n && Character.isDigit(sql.charAt(i))) {
                    i++;
                }
                out.add(new Token(Kind.PARAM, sql.substring(s + 1, i), s + 1));
            } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
                out.add(new Token(Kind.SYMBOL, "::", i + 1));
                i += 2;
            } else if ("(),=*;-+.".indexOf(c) >= 0) {
                out.add(new Token(Kind.SYMBOL, String.valueOf(c), i + 1));
                i++;
            } else {
                throw syntax("syntax error at or near \"" + c + "\"", i + 1);
            }
        }
        out.add(new Token(Kind.END, "", n + 1));
        return out;
    }

    static SqlException syntax(String message, int position) {
        return new SqlException(SqlState.SYNTAX_ERROR, Severity.ERROR, message, null, null, position, null);
    }

    Token peek() {
        return tokens.get(at);
    }

    Token peek(int ahead) {
        return tokens.get(Math.min(at + ahead, tokens.size() - 1));
    }

    Token next() {
        Token t = tokens.get(at);
        if (t.kind() != Kind.END) {
            at++;
        }
        return t;
    }

    boolean accept(String word) {
        if (peek().is(word)) {
            at++;
            return true;
        }
        return false;
    }

    void expect(String word) throws SqlException {
        if (!accept(word)) {
            throw unexpected();
        }
    }

    SqlException unexpected() {
        Token t = peek();
        return syntax(t.kind() == Kind.END ? "syntax error at end of input"
                : "syntax error at or near \"" + t.text() + "\"", t.position());
    }

    String identifier() throws SqlException {
        Token t = next();
        if (t.kind() != Kind.WORD && t.kind() != Kind.QUOTED_WORD) {
            at--;
            throw unexpected();
        }
        return t.text();
    }

    boolean atEnd() {
        return peek().kind() == Kind.END;
    }

    void expectEnd() throws SqlException {
        accept(";");
        if (!atEnd()) {
            throw unexpected();
        }
    }
}
