package io.cacdb.server.sql.parse;

import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits SQL text into {@link Token}s the way PostgreSQL's lexer does for what matters here: quoted strings (with
 * {@code ''} escapes, {@code E'..'} backslash escapes, dollar quoting), quoted identifiers, {@code --} and nested
 * {@code /* *}{@code /} comments, parameters {@code $n}, and {@code ;}. An unterminated quote or comment is 42601 with
 * its position.
 */
public final class Lexer {

    private final String text;
    private int pos;

    private Lexer(String text) {
        this.text = text;
    }

    public static List<Token> tokens(String text) throws SqlException {
        Lexer l = new Lexer(text);
        List<Token> out = new ArrayList<>();
        Token t;
        while ((t = l.next()) != null) {
            out.add(t);
        }
        return out;
    }

    private SqlException unterminated(String what, int at) {
        return new SqlException(SqlState.SYNTAX_ERROR, io.cacdb.server.session.Severity.ERROR,
                "unterminated " + what, null, null, at + 1, null);
    }

    private Token next() throws SqlException {
        skipSpaceAndComments();
        if (pos >= text.length()) {
            return null;
        }
        int start = pos;
        char c = text.charAt(pos);
        if (c == ';') {
            pos++;
            return new Token(Token.Kind.SEMICOLON, ";", start);
        }
        if ((c == 'e' || c == 'E') && pos + 1 < text.length() && text.charAt(pos + 1) == '\'') {
            pos++;
            return new Token(Token.Kind.STRING, quoted('\'', true, start), start);
        }
        if (c == '\'') {
            return new Token(Token.Kind.STRING, quoted('\'', false, start), start);
        }
        if (c == '"') {
            return new Token(Token.Kind.QUOTED_IDENTIFIER, quoted('"', false, start), start);
        }
        if (c == '$') {
            int j = pos + 1;
            if (j < text.length() && Character.isDigit(text.charAt(j))) {
                while (j < text.length() && Character.isDigit(text.charAt(j))) {
                    j++;
                }
                pos = j;
                return new Token(Token.Kind.PARAMETER, text.substring(start, j), start);
            }
            while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) {
                j++;
            }
            if (j < text.length() && text.charAt(j) == '$') {
                String tag = text.substring(start, j + 1);
                int end = text.indexOf(tag, j + 1);
                if (end < 0) {
                    throw unterminated("dollar-quoted string", start);
                }
                pos = end + tag.length();
                return new Token(Token.Kind.STRING, text.substring(j + 1, end), start);
            }
        }
        if (Character.isLetter(c) || c == '_') {
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_'
                    || text.charAt(pos) == '$')) {
                pos++;
            }
            return new Token(Token.Kind.WORD, text.substring(start, pos).toLowerCase(Locale.ROOT), start);
        }
        if (Character.isDigit(c) || (c == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1)))) {
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
                pos++;
            }
            return new Token(Token.Kind.NUMBER, text.substring(start, pos), start);
        }
        pos++;
        if (pos < text.length()) {
            String two = text.substring(start, pos + 1);
            if (two.equals("::") || two.equals("<=") || two.equals(">=") || two.equals("<>") || two.equals("!=")
                    || two.equals("||")) {
                pos++;
                return new Token(Token.Kind.SYMBOL, two, start);
            }
        }
        return new Token(Token.Kind.SYMBOL, String.valueOf(c), start);
    }

    private String quoted(char quote, boolean backslashEscapes, int start) throws SqlException {
        StringBuilder sb = new StringBuilder();
        pos++; // opening quote
        while (true) {
            if (pos >= text.length()) {
                throw unterminated(quote == '"' ? "quoted identifier" : "quoted string", start);
            }
            char c = text.charAt(pos);
            if (backslashEscapes && c == '\\' && pos + 1 < text.length()) {
                char n = text.charAt(pos + 1);
                sb.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    default -> n;
                });
                pos += 2;
                continue;
            }
            if (c == quote) {
                if (pos + 1 < text.length() && text.charAt(pos + 1) == quote) {
                    sb.append(quote);
                    pos += 2;
                    continue;
                }
                pos++;
                return sb.toString();
            }
            sb.append(c);
            pos++;
        }
    }

    private void skipSpaceAndComments() throws SqlException {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '-' && pos + 1 < text.length() && text.charAt(pos + 1) == '-') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == '/' && pos + 1 < text.length() && text.charAt(pos + 1) == '*') {
                int start = pos;
                int depth = 0;
                do {
                    if (pos + 1 >= text.length()) {
                        throw unterminated("/* comment", start);
                    }
                    if (text.charAt(pos) == '/' && text.charAt(pos + 1) == '*') {
                        depth++;
                        pos += 2;
                    } else if (text.charAt(pos) == '*' && text.charAt(pos + 1) == '/') {
                        depth--;
                        pos += 2;
                    } else {
                        pos++;
                    }
                } while (depth > 0);
            } else {
                return;
            }
        }
    }
}
