package io.cacdb.engine.error;

/**
 * This node does not serve clients now: it is a standby, it is taking over, or it is an active that could not renew
 * its lease and stopped serving (DESIGN §6). SQLSTATE 57P03 (cannot_connect_now) in every case, as DESIGN §5 has a
 * standby refuse sessions: a client must go to another host, and pgjdbc's multi-host failover moves on 57P03. Not
 * 25006 (read_only_sql_transaction): that code says "this transaction may not write" and invites the client to stay
 * and read, but a node that lost its lease serves no reads either. The caller must <b>reconnect to the active</b>.
 */
public final class NotActiveException extends EngineException {

    private final String role;

    /** @param role the node's role as text (STANDBY, PROMOTING, FENCED, ...), for the message */
    public NotActiveException(String role) {
        super(SqlState.CANNOT_CONNECT_NOW, CallerAction.RECONNECT_TO_ACTIVE,
                "this node is not the active (role " + role + "); connect to the active node");
        this.role = role;
    }

    public String role() {
        return role;
    }
}
