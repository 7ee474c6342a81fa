package io.cacdb.dax.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClusterMapFileTest {

    static final String GOOD = """
            # nine servers, three zones
            replicas = 6
            write-quorum = 4   # Aurora
            read-quorum = 3

            server d1 127.0.0.1:7101 zone=a
            server d2 127.0.0.1:7102 zone=a
            server d3 127.0.0.1:7103 zone=a
            server d4 127.0.0.2:7104 zone=b
            server d5 127.0.0.2:7105 zone=b
            server d6 127.0.0.2:7106 zone=b
            server d7 127.0.0.3:7107 zone=c
            server d8 127.0.0.3:7108 zone=c
              server   d9   127.0.0.3:7109   zone=c
            """;

    @Test
    void parsesAGoodFile() {
        ClusterMap map = ClusterMapFile.parse("good.map", GOOD);
        assertEquals(QuorumConfig.DEFAULT, map.quorum());
        assertEquals(9, map.servers().size());
        assertEquals(new ServerInfo("d9", "127.0.0.3", 7109, "c"), map.servers().get(8));
        assertEquals(2, map.maxReplicasInOneZone());
    }

    @Test
    void missingSettingsTakeTheDefaults() {
        String servers = GOOD.lines().filter(l -> l.contains("server")).reduce("", (a, b) -> a + b + "\n");
        assertEquals(QuorumConfig.DEFAULT, ClusterMapFile.parse("s.map", servers).quorum());
        ClusterMap five = ClusterMapFile.parse("s.map", "replicas = 5\n" + servers);
        assertEquals(new QuorumConfig(5, 4, 3), five.quorum());
    }

    @Test
    void roundTripsThroughAFile(@TempDir Path dir) throws Exception {
        ClusterMap map = ClusterMapFile.parse("good.map", GOOD + "server d10 [::1]:7110 zone=c\n");
        Path file = dir.resolve("cluster.map");
        ClusterMapFile.write(file, map);
        assertEquals(map, ClusterMapFile.read(file));
        assertTrue(Files.readString(file).contains("server d10 [::1]:7110 zone=c"));
    }

    @Test
    void nodeLinesRoundTripThroughAFile(@TempDir Path dir) throws Exception {
        String text = GOOD + """
                node n1 127.0.0.1:5433 zone=a admin=127.0.0.1:9480
                node n2 127.0.0.2:5433 ha=127.0.0.2:9470 zone=b admin=[::1]:9481
                node n3 127.0.0.3:5433 zone=c
                """;
        ClusterMap map = ClusterMapFile.parse("nodes.map", text);
        assertEquals(3, map.nodes().size());
        assertEquals(new NodeInfo("n2", new NodeInfo.Endpoint("127.0.0.2", 5433), "b",
                new NodeInfo.Endpoint("127.0.0.2", 9470), new NodeInfo.Endpoint("::1", 9481)), map.node("n2").orElseThrow());
        assertEquals(null, map.node("n3").orElseThrow().admin());
        Path file = dir.resolve("cluster.map");
        ClusterMapFile.write(file, map);
        assertEquals(map, ClusterMapFile.read(file));
        String written = Files.readString(file);
        assertTrue(written.contains("node n2 127.0.0.2:5433 zone=b admin=[::1]:9481 ha=127.0.0.2:9470\n"), written);
        assertEquals(map, map.withNodes(map.nodes()));
        assertEquals(9, map.withNodes(java.util.List.of()).servers().size());
    }

    @Test
    void rejectsDuplicateNodes() {
        ClusterMapFileException twice = assertThrows(ClusterMapFileException.class, () -> ClusterMapFile.parse("n.map",
                GOOD + "node n1 127.0.0.1:5433 zone=a\nnode n1 127.0.0.2:5433 zone=b\n"));
        assertTrue(twice.getMessage().contains("node n1 is declared twice (first on line 15)"), twice.getMessage());
        ClusterMapFileException clash = assertThrows(ClusterMapFileException.class, () -> ClusterMapFile.parse("n.map",
                GOOD + "node n1 127.0.0.1:7101 zone=a\n"));
        assertTrue(clash.getMessage().contains("address 127.0.0.1:7101 is already used"), clash.getMessage());
    }

    @Test
    void unreadableFileNamesTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.map");
        ClusterMapFileException e = assertThrows(ClusterMapFileException.class, () -> ClusterMapFile.read(missing));
        assertTrue(e.getMessage().startsWith(missing.toString()), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown kind           | proxy p1 127.0.0.1:5432 zone=a         | 2 | unknown line kind 'proxy'
            node too short         | node n1 127.0.0.1:5432                 | 2 | got 3 words
            node no zone           | node n1 127.0.0.1:5432 admin=h:1       | 2 | expected 'zone=<zone>'
            node bad attribute     | node n1 127.0.0.1:5432 zone=a rack=1   | 2 | unexpected 'rack=1'
            node attribute twice   | node n1 127.0.0.1:5432 zone=a zone=b   | 2 | attribute 'zone' given twice
            node bad address       | node n1 127.0.0.1 zone=a               | 2 | is not <host>:<port>
            node bad admin port    | node n1 127.0.0.1:5432 zone=a admin=h:0 | 2 | port must be in 1..65535
            node empty zone        | node n1 127.0.0.1:5432 zone=           | 2 | must not be blank
            unknown setting        | replica-count = 6                      | 2 | unknown setting 'replica-count'
            setting twice          | replicas = 6                           | 2 | given twice (first on line 1)
            not a number           | write-quorum = four                    | 2 | must be a positive integer
            not positive           | read-quorum = 0                        | 2 | must be a positive integer
            server too short       | server d0 127.0.0.1:7000               | 2 | got 3 words
            server no port         | server d0 127.0.0.1 zone=a             | 2 | is not <host>:<port>
            server bad port        | server d0 127.0.0.1:seventy zone=a     | 2 | is not a number
            server port range      | server d0 127.0.0.1:70000 zone=a       | 2 | port must be in 1..65535
            server no zone         | server d0 127.0.0.1:7000 rack=a        | 2 | expected 'zone=<zone>'
            server empty zone      | server d0 127.0.0.1:7000 zone=         | 2 | must not be blank
            server empty host      | server d0 :7000 zone=a                 | 2 | is not <host>:<port>
            duplicate id           | server d1 127.0.0.9:7000 zone=a        | 2 | server id d1 is declared twice (first on line 1)
            duplicate address      | server d0 127.0.0.1:7101 zone=a        | 2 | already used on line 1
            """)
    void rejectsBadLinesNamingFileAndLine(String what, String badLine, int line, String expected) {
        String first = badLine.startsWith("server") ? "server d1 127.0.0.1:7101 zone=a" : "replicas = 6";
        String text = first + "\n" + badLine + "\n" + GOOD.lines().filter(l -> l.contains("server d") && !l.contains("d1 "))
                .reduce("", (a, b) -> a + b + "\n");
        ClusterMapFileException e = assertThrows(ClusterMapFileException.class,
                () -> ClusterMapFile.parse("bad.map", text), what);
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith("bad.map:" + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void rejectsQuorumSettingsThatBreakTheRules() {
        String text = GOOD.replace("write-quorum = 4", "write-quorum = 3").replace("read-quorum = 3", "read-quorum = 4");
        ClusterMapFileException e = assertThrows(ClusterMapFileException.class, () -> ClusterMapFile.parse("q.map", text));
        assertEquals(2, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("W must exceed N/2"), e.getMessage());
    }

    @Test
    void rejectsMapsThatClusterMapRejects() {
        String oneZone = "server d1 h:1 zone=a\nserver d2 h:2 zone=a\nserver d3 h:3 zone=a\n"
                + "replicas = 3\nwrite-quorum = 2\nread-quorum = 2\n";
        ClusterMapFileException e = assertThrows(ClusterMapFileException.class, () -> ClusterMapFile.parse("z.map", oneZone));
        assertTrue(e.getMessage().startsWith("z.map: "), e.getMessage());
        assertTrue(e.getMessage().contains("span two zones"), e.getMessage());
        ClusterMapFileException few = assertThrows(ClusterMapFileException.class,
                () -> ClusterMapFile.parse("few.map", "server d1 h:1 zone=a\nserver d2 h:2 zone=b\n"));
        assertTrue(few.getMessage().contains("need at least N servers"), few.getMessage());
        ClusterMapFileException none = assertThrows(ClusterMapFileException.class,
                () -> ClusterMapFile.parse("empty.map", "# nothing\n"));
        assertTrue(none.getMessage().contains("no 'server' lines"), none.getMessage());
    }

    @Test
    void rejectsOverlongLines() {
        ClusterMapFileException e = assertThrows(ClusterMapFileException.class,
                () -> ClusterMapFile.parse("long.map", "# " + "x".repeat(ClusterMapFile.MAX_LINE_CHARS)));
        assertEquals(1, e.line());
    }
}
