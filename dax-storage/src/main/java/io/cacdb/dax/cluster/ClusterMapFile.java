package io.cacdb.dax.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cluster map text format: the one file Terraform renders and every cacdb process reads.
 *
 * <pre>
 * # comments and blank lines are allowed
 * replicas = 6
 * write-quorum = 4
 * read-quorum = 3
 * server d1 127.0.0.1:7101 zone=a
 * node n1 127.0.0.1:5433 zone=a admin=127.0.0.1:9480 ha=127.0.0.1:9470
 * </pre>
 *
 * <p>Each non-blank line is one of two shapes: a <em>setting</em> {@code key = value}, or a <em>declaration</em>
 * whose first word names its kind: {@code server <id> <host>:<port> zone=<zone>} for a DAX server, {@code node
 * <name> <host>:<pgPort> zone=<zone> [admin=<host>:<port>] [ha=<host>:<port>]} for a database node (attributes after
 * the address in any order). Settings that are missing take the values of
 * {@link QuorumConfig#DEFAULT}. A new line kind is one more case in {@link #parseDeclaration}; until then an unknown
 * kind is refused with the kinds that are known. Every error names the file and the line.
 */
public final class ClusterMapFile {

    /** Longest line accepted: a real line is under 100 characters; a huge one is a wrong file, not a map. */
    public static final int MAX_LINE_CHARS = 4096;

    private static final Pattern SETTING = Pattern.compile("^([A-Za-z][A-Za-z0-9-]*)\\s*=\\s*(.*)$");
    private static final Pattern WORDS = Pattern.compile("\\s+");
    private static final String REPLICAS = "replicas";
    private static final String WRITE_QUORUM = "write-quorum";
    private static final String READ_QUORUM = "read-quorum";
    private static final List<String> SETTINGS = List.of(REPLICAS, WRITE_QUORUM, READ_QUORUM);
    private static final List<String> DECLARATIONS = List.of("server", "node");
    private static final List<String> NODE_ATTRIBUTES = List.of("zone", "admin", "ha");

    private ClusterMapFile() {
    }

    /** Reads and validates a cluster map file. */
    public static ClusterMap read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ClusterMapFileException(file.toString(), "cannot read the cluster map file: " + e, e);
        }
        return parse(file.toString(), lines);
    }

    /** Parses the lines of a cluster map; {@code source} names them in error messages. */
    public static ClusterMap parse(String source, String text) {
        return parse(source, text.lines().toList());
    }

    /** Parses the lines of a cluster map; {@code source} names them in error messages. */
    public static ClusterMap parse(String source, List<String> lines) {
        Parser parser = new Parser(source);
        for (int i = 0; i < lines.size(); i++) {
            parser.line(i + 1, lines.get(i));
        }
        return parser.finish();
    }

    /** The text of a map, in the format {@link #parse} reads; settings are always written out. */
    public static String format(ClusterMap map) {
        StringBuilder out = new StringBuilder();
        out.append("# cacdb cluster map: DAX servers with their zones, the quorum settings, the database nodes\n");
        out.append(REPLICAS).append(" = ").append(map.quorum().replicas()).append('\n');
        out.append(WRITE_QUORUM).append(" = ").append(map.quorum().writeQuorum()).append('\n');
        out.append(READ_QUORUM).append(" = ").append(map.quorum().readQuorum()).append('\n');
        for (ServerInfo s : map.servers()) {
            String host = s.host().contains(":") ? "[" + s.host() + "]" : s.host();
            out.append("server ").append(s.id()).append(' ').append(host).append(':').append(s.port())
                    .append(" zone=").append(s.zone()).append('\n');
        }
        for (NodeInfo n : map.nodes()) {
            out.append("node ").append(n.name()).append(' ').append(n.pg()).append(" zone=").append(n.zone());
            if (n.admin() != null) {
                out.append(" admin=").append(n.admin());
            }
            if (n.ha() != null) {
                out.append(" ha=").append(n.ha());
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Writes {@link #format(ClusterMap)} to {@code file}, replacing it. */
    public static void write(Path file, ClusterMap map) throws IOException {
        Files.writeString(file, format(map), StandardCharsets.UTF_8);
    }

    /** One pass over the lines; collects settings and declarations, then builds the validated map. */
    private static final class Parser {
        private final String source;
        private final Map<String, Integer> settings = new LinkedHashMap<>();
        private final Map<String, Integer> settingLines = new HashMap<>();
        private final List<ServerInfo> servers = new ArrayList<>();
        private final Map<String, Integer> serverIdLines = new HashMap<>();
        private final Map<String, Integer> serverAddressLines = new HashMap<>();
        private final List<NodeInfo> nodes = new ArrayList<>();
        private final Map<String, Integer> nodeNameLines = new HashMap<>();

        Parser(String source) {
            this.source = source;
        }

        void line(int lineNo, String raw) {
            if (raw.length() > MAX_LINE_CHARS) {
                throw error(lineNo, "line of " + raw.length() + " characters exceeds " + MAX_LINE_CHARS);
            }
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (line.isEmpty()) {
                return;
            }
            Matcher setting = SETTING.matcher(line);
            if (setting.matches()) {
                parseSetting(lineNo, setting.group(1), setting.group(2).strip());
            } else {
                parseDeclaration(lineNo, WORDS.split(line));
            }
        }

        private void parseSetting(int lineNo, String key, String value) {
            if (!SETTINGS.contains(key)) {
                throw error(lineNo, "unknown setting '" + key + "' (known settings: " + String.join(", ", SETTINGS)
                        + ")");
            }
            Integer earlier = settingLines.putIfAbsent(key, lineNo);
            if (earlier != null) {
                throw error(lineNo, "setting '" + key + "' given twice (first on line " + earlier + ")");
            }
            settings.put(key, parsePositiveInt(lineNo, key, value));
        }

        private void parseDeclaration(int lineNo, String[] words) {
            switch (words[0]) {
                case "server" -> parseServer(lineNo, words);
                case "node" -> parseNode(lineNo, words);
                default -> throw error(lineNo, "unknown line kind '" + words[0] + "' (expected a setting 'key = value'"
                        + " with key in " + SETTINGS + ", or a declaration starting with one of " + DECLARATIONS
                        + ")");
            }
        }

        /** {@code server <id> <host>:<port> zone=<zone>}. */
        private void parseServer(int lineNo, String[] words) {
            if (words.length != 4) {
                throw error(lineNo, "a server line is 'server <id> <host>:<port> zone=<zone>', got " + words.length
                        + " words");
            }
            String id = words[1];
            String hostPort = words[2];
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || colon == hostPort.length() - 1) {
                throw error(lineNo, "server " + id + ": address '" + hostPort + "' is not <host>:<port>");
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty()) {
                throw error(lineNo, "server " + id + ": empty host in '" + hostPort + "'");
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw error(lineNo, "server " + id + ": port in '" + hostPort + "' is not a number");
            }
            String attribute = words[3];
            if (!attribute.startsWith("zone=")) {
                throw error(lineNo, "server " + id + ": expected 'zone=<zone>', got '" + attribute + "'");
            }
            String zone = attribute.substring("zone=".length());
            ServerInfo server;
            try {
                server = new ServerInfo(id, host, port, zone);
            } catch (IllegalArgumentException e) {
                throw error(lineNo, e.getMessage());
            }
            Integer earlier = serverIdLines.putIfAbsent(id, lineNo);
            if (earlier != null) {
                throw error(lineNo, "server id " + id + " is declared twice (first on line " + earlier + ")");
            }
            earlier = serverAddressLines.putIfAbsent(server.hostPort(), lineNo);
            if (earlier != null) {
                throw error(lineNo, "server " + id + ": address " + server.hostPort() + " is already used on line "
                        + earlier);
            }
            servers.add(server);
        }

        /** {@code node <name> <host>:<pgPort> zone=<zone> [admin=<host>:<port>] [ha=<host>:<port>]}. */
        private void parseNode(int lineNo, String[] words) {
            String shape = "a node line is 'node <name> <host>:<pgPort> zone=<zone> [admin=<host>:<port>]"
                    + " [ha=<host>:<port>]'";
            if (words.length < 4 || words.length > 6) {
                throw error(lineNo, shape + ", got " + words.length + " words");
            }
            String name = words[1];
            NodeInfo.Endpoint pg = endpoint(lineNo, "node " + name, words[2]);
            Map<String, String> attributes = new LinkedHashMap<>();
            for (int i = 3; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                String key = eq > 0 ? words[i].substring(0, eq) : words[i];
                if (eq <= 0 || !NODE_ATTRIBUTES.contains(key)) {
                    throw error(lineNo, "node " + name + ": unexpected '" + words[i] + "' (attributes: "
                            + String.join("=, ", NODE_ATTRIBUTES) + "=)");
                }
                if (attributes.put(key, words[i].substring(eq + 1)) != null) {
                    throw error(lineNo, "node " + name + ": attribute '" + key + "' given twice");
                }
            }
            if (!attributes.containsKey("zone")) {
                throw error(lineNo, "node " + name + ": expected 'zone=<zone>'; " + shape);
            }
            NodeInfo.Endpoint admin = attributes.containsKey("admin")
                    ? endpoint(lineNo, "node " + name + " admin", attributes.get("admin")) : null;
            NodeInfo.Endpoint ha = attributes.containsKey("ha")
                    ? endpoint(lineNo, "node " + name + " ha", attributes.get("ha")) : null;
            NodeInfo node;
            try {
                node = new NodeInfo(name, pg, attributes.get("zone"), ha, admin);
            } catch (IllegalArgumentException e) {
                throw error(lineNo, "node " + name + ": " + e.getMessage());
            }
            Integer earlier = nodeNameLines.putIfAbsent(name, lineNo);
            if (earlier != null) {
                throw error(lineNo, "node " + name + " is declared twice (first on line " + earlier + ")");
            }
            nodes.add(node);
        }

        private NodeInfo.Endpoint endpoint(int lineNo, String what, String hostPort) {
            try {
                return NodeInfo.Endpoint.parse(hostPort);
            } catch (IllegalArgumentException e) {
                throw error(lineNo, what + ": " + e.getMessage());
            }
        }

        private int parsePositiveInt(int lineNo, String key, String value) {
            try {
                int v = Integer.parseInt(value);
                if (v < 1) {
                    throw error(lineNo, key + " must be a positive integer, was " + v);
                }
                return v;
            } catch (NumberFormatException e) {
                throw error(lineNo, key + " must be a positive integer, was '" + value + "'");
            }
        }

        ClusterMap finish() {
            if (servers.isEmpty()) {
                throw new ClusterMapFileException(source, 0, "no 'server' lines: a cluster map needs its servers");
            }
            QuorumConfig quorum;
            try {
                quorum = new QuorumConfig(
                        settings.getOrDefault(REPLICAS, QuorumConfig.DEFAULT.replicas()),
                        settings.getOrDefault(WRITE_QUORUM, QuorumConfig.DEFAULT.writeQuorum()),
                        settings.getOrDefault(READ_QUORUM, QuorumConfig.DEFAULT.readQuorum()));
            } catch (IllegalArgumentException e) {
                throw new ClusterMapFileException(source, firstSettingLine(), "quorum settings: " + e.getMessage());
            }
            try {
                return new ClusterMap(servers, quorum, nodes);
            } catch (IllegalArgumentException e) {
                throw new ClusterMapFileException(source, 0, e.getMessage());
            }
        }

        private int firstSettingLine() {
            return settingLines.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        }

        private ClusterMapFileException error(int lineNo, String message) {
            return new ClusterMapFileException(source, lineNo, message);
        }
    }
}
