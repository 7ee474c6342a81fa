package io.cacdb.server.sql.expr;

import io.cacdb.server.session.PgType;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import io.cacdb.server.sql.types.SqlType;
import java.util.ArrayList;
import java.util.List;

/**
 * The types of a statement's parameters {@code $1..$n} while it is being bound: those the client declared, and
 * those left unknown (OID 0) until an expression's context decides (a comparison with a column, an INSERT target,
 * arithmetic with a typed operand). {@link #finish()} turns what is still unknown into text, as PostgreSQL does.
 * Not thread-safe: belongs to one bind.
 */
public final class ParameterTypes {

    /** Most parameters one statement may have: the protocol's 16-bit parameter count. */
    public static final int PARAMETERS_MAX = 65_535;

    private final List<SqlType> types = new ArrayList<>();
    private final List<Boolean> declared = new ArrayList<>();

    public ParameterTypes(List<PgType> declaredTypes) {
        for (PgType t : declaredTypes) {
            types.add(SqlType.plain(t));
            declared.add(t != PgType.UNKNOWN);
        }
    }

    /** Makes sure {@code $index+1} exists (a statement may use more parameters than the client declared). */
    public void use(int index) throws SqlException {
        if (index < 0 || index >= PARAMETERS_MAX) {
            throw new SqlException(SqlState.of("42P02"), "there is no parameter $" + (index + 1));
        }
        while (types.size() <= index) {
            types.add(SqlType.UNKNOWN);
            declared.add(false);
        }
    }

    public SqlType type(int index) {
        return types.get(index);
    }

    public boolean isUnresolved(int index) {
        return types.get(index).isUnknown();
    }

    /** Gives an unknown parameter its type from context; a declared or already resolved one keeps its type. */
    public void resolve(int index, SqlType t) {
        if (types.get(index).isUnknown() && !t.isUnknown()) {
            types.set(index, t.base());
        }
    }

    public int size() {
        return types.size();
    }

    /** The final types: unknown becomes text. */
    public List<SqlType> finish() {
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i).isUnknown()) {
                types.set(i, SqlType.TEXT);
            }
        }
        return List.copyOf(types);
    }
}
