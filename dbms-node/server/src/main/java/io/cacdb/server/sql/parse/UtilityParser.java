package io.cacdb.server.sql.parse;

import io.cacdb.server.session.Severity;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the utility statements ({@link UtilityStatement}) from tokens. Statements it does not recognise by their
 * first word are left to the parser library; a recognised one that is malformed is 42601 here.
 */
final class UtilityParser {

    private final StatementText source;
    private final List<Token> t;
    private int i;

    private UtilityParser(StatementText source) {
        this.source = source;
        this.t = source.tokens();
    }

    static Optional<UtilityStatement> parse(StatementText s) throws SqlException {
        return Optional.ofNullable(new UtilityParser(s).statement());
    }

    private UtilityStatement statement() throws SqlException {
        Token first = t.get(0);
        if (first.kind() != Token.Kind.WORD) {
            return null;
        }
        i = 1;
        UtilityStatement u = switch (first.text()) {
            case "begin" -> {
                optional("work", "transaction");
                yield begin();
            }
            case "start" -> {
                expect("transaction");
                yield begin();
            }
            case "commit", "end" -> {
                optional("work", "transaction");
                yield new UtilityStatement.Commit();
            }
            case "abort" -> {
                optional("work", "transaction");
                yield new UtilityStatement.Rollback();
            }
            case "rollback" -> {
                optional("work", "transaction");
                if (accept("to")) {
                    optional("savepoint");
                    yield new UtilityStatement.RollbackToSavepoint(name());
                }
                yield new UtilityStatement.Rollback();
            }
            case "savepoint" -> new UtilityStatement.Savepoint(name());
            case "release" -> {
                optional("savepoint");
                yield new UtilityStatement.ReleaseSavepoint(name());
            }
            case "set" -> set();
            case "reset" -> {
                if (accept("all")) {
                    yield new UtilityStatement.Reset(null);
                }
                yield new UtilityStatement.Reset(parameterName());
            }
            case "show" -> {
                if (accept("all")) {
                    yield new UtilityStatement.Show("all");
                }
                if (peekWord("transaction")) {
                    i++;
                    expect("isolation");
                    expect("level");
                    yield new UtilityStatement.Show("transaction_isolation");
                }
                if (peekWord("time")) {
                    i++;
                    expect("zone");
                    yield new UtilityStatement.Show("timezone");
                }
                yield new UtilityStatement.Show(parameterName());
            }
            case "explain" -> explain();
            default -> null;
        };
        if (u == null) {
            return null;
        }
        if (!(u instanceof UtilityStatement.Explain) && i < t.size()) {
            throw error(t.get(i));
        }
        return u;
    }

    private UtilityStatement explain() throws SqlException {
        // EXPLAIN [ANALYZE] [VERBOSE] stmt | EXPLAIN (option [value], ...) stmt: options are accepted and ignored.
        if (i < t.size() && t.get(i).isSymbol("(")) {
            int depth = 0;
            do {
                if (t.get(i).isSymbol("(")) {
                    depth++;
                } else if (t.get(i).isSymbol(")")) {
                    depth--;
                }
                i++;
            } while (depth > 0 && i < t.size());
        }
        while (i < t.size() && (t.get(i).is("analyze") || t.get(i).is("verbose") || t.get(i).is("analyse"))) {
            i++;
        }
        if (i >= t.size()) {
            throw new SqlException(SqlState.SYNTAX_ERROR, Severity.ERROR, "syntax error at end of input", null, null,
                    source.offset() + source.text().length() + 1, null);
        }
        int start = t.get(i).start();
        List<Token> rest = new ArrayList<>();
        for (int j = i; j < t.size(); j++) {
            Token k = t.get(j);
            rest.add(new Token(k.kind(), k.text(), k.start() - start));
        }
        return new UtilityStatement.Explain(new StatementText(source.text().substring(start),
                source.offset() + start, rest));
    }

    private UtilityStatement begin() throws SqlException {
        IsolationMode iso = null;
        Boolean readOnly = null;
        while (i < t.size()) {
            if (t.get(i).isSymbol(",")) {
                i++;
                continue;
            }
            if (accept("isolation")) {
                expect("level");
                iso = isolation();
            } else if (accept("read")) {
                if (accept("only")) {
                    readOnly = true;
                } else {
                    expect("write");
                    readOnly = false;
                }
            } else if (accept("not")) {
                expect("deferrable");
            } else if (accept("deferrable")) {
                continue;
            } else {
                throw error(t.get(i));
            }
        }
        return new UtilityStatement.Begin(iso, readOnly);
    }

    private IsolationMode isolation() throws SqlException {
        if (accept("serializable")) {
            return IsolationMode.SERIALIZABLE;
        }
        if (accept("repeatable")) {
            expect("read");
            return IsolationMode.REPEATABLE_READ;
        }
        expect("read");
        if (accept("committed")) {
            return IsolationMode.READ_COMMITTED;
        }
        expect("uncommitted");
        return IsolationMode.READ_UNCOMMITTED;
    }

    private UtilityStatement set() throws SqlException {
        boolean local = false;
        if (accept("local")) {
            local = true;
        } else if (accept("session")) {
            if (accept("characteristics")) {
                expect("as");
                expect("transaction");
                UtilityStatement.Begin b = (UtilityStatement.Begin) begin();
                return new UtilityStatement.SetTransaction(b.isolation(), b.readOnly(), true);
            }
        }
        if (accept("transaction")) {
            UtilityStatement.Begin b = (UtilityStatement.Begin) begin();
            return new UtilityStatement.SetTransaction(b.isolation(), b.readOnly(), false);
        }
        if (peekWord("time") && i + 1 < t.size() && t.get(i + 1).is("zone")) {
            i += 2;
            return new UtilityStatement.Set("timezone", values(), local);
        }
        String name = parameterName();
        if (!(accept("to") || acceptSymbol("="))) {
            throw error(i < t.size() ? t.get(i) : null);
        }
        return new UtilityStatement.Set(name, values(), local);
    }

    private List<String> values() throws SqlException {
        if (i < t.size() && t.get(i).is("default")) {
            i++;
            return null;
        }
        List<String> out = new ArrayList<>();
        while (true) {
            if (i >= t.size()) {
                throw error(null);
            }
            Token v = t.get(i++);
            String text = switch (v.kind()) {
                case WORD, QUOTED_IDENTIFIER, STRING, NUMBER -> v.text();
                case SYMBOL -> {
                    // a signed number: SET extra_float_digits = -1
                    if ((v.text().equals("-") || v.text().equals("+")) && i < t.size()
                            && t.get(i).kind() == Token.Kind.NUMBER) {
                        yield v.text() + t.get(i++).text();
                    }
                    throw error(v);
                }
                default -> throw error(v);
            };
            out.add(text);
            if (i < t.size() && t.get(i).isSymbol(",")) {
                i++;
                continue;
            }
            return out;
        }
    }

    /** A parameter name, possibly qualified ({@code custom.option}). */
    private String parameterName() throws SqlException {
        String n = name();
        while (i + 1 < t.size() && t.get(i).isSymbol(".")) {
            i++;
            n = n + "." + name();
        }
        return n;
    }

    private String name() throws SqlException {
        if (i >= t.size()) {
            throw error(null);
        }
        Token n = t.get(i);
        if (n.kind() != Token.Kind.WORD && n.kind() != Token.Kind.QUOTED_IDENTIFIER) {
            throw error(n);
        }
        i++;
        return n.value();
    }

    private boolean peekWord(String w) {
        return i < t.size() && t.get(i).is(w);
    }

    private boolean accept(String w) {
        if (peekWord(w)) {
            i++;
            return true;
        }
        return false;
    }

    private boolean acceptSymbol(String s) {
        if (i < t.size() && t.get(i).isSymbol(s)) {
            i++;
            return true;
        }
        return false;
    }

    private void optional(String... words) {
        for (String w : words) {
            if (accept(w)) {
                return;
            }
        }
    }

    private void expect(String w) throws SqlException {
        if (!accept(w)) {
            throw error(i < t.size() ? t.get(i) : null);
        }
    }

    private SqlException error(Token at) {
        if (at == null) {
            return new SqlException(SqlState.SYNTAX_ERROR, Severity.ERROR, "syntax error at end of input", null, null,
                    source.offset() + source.text().length() + 1, null);
        }
        return new SqlException(SqlState.SYNTAX_ERROR, Severity.ERROR, "syntax error at or near \"" + at.text()
                + "\"", null, null, source.offset() + at.start() + 1, null);
    }
}
