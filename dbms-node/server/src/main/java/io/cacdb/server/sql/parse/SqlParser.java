package io.cacdb.server.sql.parse;

import io.cacdb.server.session.Severity;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.ParseException;
import net.sf.jsqlparser.parser.TokenMgrException;
import net.sf.jsqlparser.statement.Statement;

/**
 * Turns query strings into statements: splits a simple-query string at its semicolons ({@link #split}), reads the
 * utility statements itself ({@link UtilityStatement}: transaction control, savepoints, SET/SHOW/RESET, EXPLAIN's
 * prefix) and hands everything else to JSqlParser 5.4. Syntax errors are 42601 with PostgreSQL's position field (a
 * 1-based character index into the whole query string). Stateless, thread-safe.
 */
public final class SqlParser {

    /**
     * Longest query string accepted, in characters (54000 beyond). It bounds the parser's time and memory per
     * statement; a rewritten batch of 128 TPC-C order lines is about 10 KiB, a 5,000-row multi-row VALUES with
     * parameters about 80 KiB.
     */
    public static final int STATEMENT_CHARS_MAX = 1 << 20;

    /**
     * Deepest parenthesis nesting accepted (54001 beyond): the parser library recurses per level, and a bound here
     * keeps a hostile string from exhausting the session thread's stack.
     */
    public static final int NESTING_DEPTH_MAX = 256;

    /** A parsed statement. */
    public sealed interface Parsed {
        StatementText source();
    }

    /** An empty statement (only whitespace or comments). */
    public record Empty(StatementText source) implements Parsed {
    }

    public record Utility(StatementText source, UtilityStatement statement) implements Parsed {
    }

    /** A statement of the parser library's syntax tree (DML, queries, DDL). */
    public record Ast(StatementText source, Statement statement) implements Parsed {
    }

    private SqlParser() {
    }

    /** The statements of a simple-query string, split at semicolons outside quotes and comments. */
    public static List<StatementText> split(String sql) throws SqlException {
        checkSize(sql);
        List<Token> all = Lexer.tokens(sql);
        List<StatementText> out = new ArrayList<>();
        int start = 0;
        List<Token> current = new ArrayList<>();
        for (Token t : all) {
            if (t.kind() == Token.Kind.SEMICOLON) {
                out.add(statement(sql, start, t.start(), current));
                current = new ArrayList<>();
                start = t.start() + 1;
            } else {
                current.add(t);
            }
        }
        if (!current.isEmpty() || out.isEmpty()) {
            out.add(statement(sql, start, sql.length(), current));
        }
        return out;
    }

    private static StatementText statement(String sql, int start, int end, List<Token> tokens) {
        List<Token> shifted = new ArrayList<>(tokens.size());
        for (Token t : tokens) {
            shifted.add(new Token(t.kind(), t.text(), t.start() - start));
        }
        return new StatementText(sql.substring(start, end), start, shifted);
    }

    /** One statement as the extended protocol's Parse sends it (a trailing semicolon is allowed; two statements are not). */
    public static StatementText single(String sql) throws SqlException {
        List<StatementText> parts = split(sql);
        List<StatementText> nonEmpty = parts.stream().filter(p -> !p.isEmpty()).toList();
        if (nonEmpty.size() > 1) {
            throw new SqlException(SqlState.SYNTAX_ERROR,
                    "cannot insert multiple commands into a prepared statement");
        }
        return nonEmpty.isEmpty() ? parts.get(0) : nonEmpty.get(0);
    }

    private static void checkSize(String sql) throws SqlException {
        if (sql.length() > STATEMENT_CHARS_MAX) {
            throw new SqlException(SqlState.PROGRAM_LIMIT_EXCEEDED, "statement is " + sql.length()
                    + " characters long, more than the limit of " + STATEMENT_CHARS_MAX);
        }
    }

    /** The utility statement {@code s} is, if it is one (checked without the parser library). */
    public static Optional<UtilityStatement> utility(StatementText s) throws SqlException {
        return s.isEmpty() ? Optional.empty() : UtilityParser.parse(s);
    }

    /** Parses a statement that is not a utility statement with the parser library. */
    public static Parsed parseAst(StatementText s) throws SqlException {
        checkNesting(s);
        try {
            Statement st = CCJSqlParserUtil.newParser(s.text()).Statement();
            if (st == null) {
                return new Empty(s);
            }
            return new Ast(s, st);
        } catch (ParseException e) {
            throw syntaxError(s, e);
        } catch (TokenMgrException e) {
            throw new SqlException(SqlState.SYNTAX_ERROR, Severity.ERROR, "syntax error: " + firstLine(e.getMessage()),
                    null, null, s.offset() + 1, null);
        } catch (StackOverflowError e) {
            throw new SqlException(SqlState.of("54001"), "statement is too complex to parse");
        } catch (RuntimeException e) {
            // The library throws plain runtime exceptions for some malformed input; they are input errors, not bugs.
            throw new SqlException(SqlState.SYNTAX_ERROR, Severity.ERROR, "syntax error: "
                    + firstLine(String.valueOf(e.getMessage())), null, null, s.offset() + 1, e);
        }
    }

    /** Parses one statement. */
    public static Parsed parse(StatementText s) throws SqlException {
        if (s.isEmpty()) {
            return new Empty(s);
        }
        Optional<UtilityStatement> u = UtilityParser.parse(s);
        if (u.isPresent()) {
            return new Utility(s, u.get());
        }
        return parseAst(s);
    }

    private static void checkNesting(StatementText s) throws SqlException {
        int depth = 0;
        for (Token t : s.tokens()) {
            if (t.isSymbol("(")) {
                if (++depth > NESTING_DEPTH_MAX) {
                    throw new SqlException(SqlState.of("54001"), "statement nests parentheses deeper than "
                            + NESTING_DEPTH_MAX);
                }
            } else if (t.isSymbol(")")) {
                depth--;
            }
        }
    }

    private static SqlException syntaxError(StatementText s, ParseException e) {
        int offset = 0;
        String near = null;
        if (e.currentToken != null && e.currentToken.next != null) {
            net.sf.jsqlparser.parser.Token bad = e.currentToken.next;
            offset = offsetOf(s.text(), bad.beginLine, bad.beginColumn);
            near = bad.image;
        }
        String message = near == null || near.isEmpty() ? "syntax error at end of input"
                : "syntax error at or near \"" + near + "\"";
        int position = Math.min(s.offset() + offset, s.offset() + s.text().length()) + 1;
        return new SqlException(SqlState.SYNTAX_ERROR, Severity.ERROR, message, null, null, position,
                new JSQLParserException(e));
    }

    /** The 0-based character offset of a 1-based line and column. */
    static int offsetOf(String text, int line, int column) {
        int offset = 0;
        for (int l = 1; l < line && offset < text.length(); l++) {
            int nl = text.indexOf('\n', offset);
            if (nl < 0) {
                break;
            }
            offset = nl + 1;
        }
        return Math.max(0, Math.min(text.length(), offset + column - 1));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
