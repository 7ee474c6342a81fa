package io.cacdb.cli.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.cli.localcluster.ClusterState.Kind;
import io.cacdb.cli.localcluster.ClusterState.Member;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterStateTest {

    @TempDir
    Path dir;

    static Member node(String name, String zone, int pg) {
        return new Member(name, Kind.NODE, zone, "ACTIVE", "127.0.0.1", 4242, Map.of("pg", pg, "admin", pg + 1000),
                "/x/" + name + "/node.conf", "/x/logs/" + name + ".log", "2026-01-01T00:00:00Z", null);
    }

    @Test
    void roundTripsThroughTheFile() throws Exception {
        Member dax = new Member("d1", Kind.DAX_SERVER, "a", "DAX", "127.0.0.1", 77, Map.of("rpc", 7400, "admin", 7480),
                "/x/d1/dax.conf", "/x/logs/d1.log", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z");
        List<Member> nodes = List.of(node("n1", "a", 5433));
        ClusterState state = new ClusterState(ClusterState.FORMAT, dir.toString(), dir.resolve("cluster.map").toString(),
                1, 5, false, "cacdb", "cacdb", ClusterState.jdbcUrl(nodes, "cacdb", "cacdb"),
                ClusterState.psqlCommand(nodes, "cacdb", "cacdb"), nodes, List.of(dax));
        state.write();
        assertEquals(state, ClusterState.read(dir));
        String json = Files.readString(ClusterState.file(dir));
        assertTrue(json.contains("\"dax_servers\""), json);
        assertTrue(json.contains("\"jdbc_url\" : \"jdbc:postgresql://127.0.0.1:5433/cacdb?user=cacdb&sslmode=disable\""),
                json);
        assertEquals(List.of("n1", "d1"), state.members().stream().map(Member::name).toList());
    }

    @Test
    void aSecondNodeIsOneMoreEntryAndTheUrlFindsThePrimary() {
        List<Member> two = List.of(node("n1", "a", 5433), node("n2", "b", 5434));
        assertEquals("jdbc:postgresql://127.0.0.1:5433,127.0.0.1:5434/cacdb?user=cacdb&sslmode=disable"
                + "&targetServerType=primary&hostRecheckSeconds=1", ClusterState.jdbcUrl(two, "cacdb", "cacdb"));
        assertEquals("psql \"host=127.0.0.1,127.0.0.1 port=5433,5434 dbname=cacdb user=cacdb sslmode=disable"
                + " target_session_attrs=read-write\"", ClusterState.psqlCommand(two, "cacdb", "cacdb"));
    }

    @Test
    void refusesAnotherFormatAndGarbage() throws Exception {
        Files.writeString(ClusterState.file(dir), "{\"format\": 99}");
        IOException e = assertThrows(IOException.class, () -> ClusterState.read(dir));
        assertTrue(e.getMessage().contains("format 99"), e.getMessage());
        Files.writeString(ClusterState.file(dir), "not json");
        IOException garbage = assertThrows(IOException.class, () -> ClusterState.read(dir));
        assertTrue(garbage.getMessage().startsWith("cannot read the cluster state " + ClusterState.file(dir)),
                garbage.getMessage());
    }

    @Test
    void readyLineFields() {
        Map<String, String> f = ChildProcesses.fields("NODE_READY name=n1 zone=a role=ACTIVE pg=127.0.0.1:5433 "
                + "admin=127.0.0.1:8480 epoch=3 pid=99");
        assertEquals(5433, ChildProcesses.port(f, "pg", "n1"));
        assertEquals("3", f.get("epoch"));
        assertThrows(IllegalStateException.class, () -> ChildProcesses.port(f, "rpc", "n1"));
    }
}
