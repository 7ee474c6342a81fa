package io.cacdb.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.dax.cluster.NodeInfo;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.placement.InstanceMetadataZone;
import io.cacdb.dax.server.ServerConfig;
import io.cacdb.instancemetadata.FakeImdsV2Server;
import io.cacdb.server.node.NodeConfig;
import io.cacdb.server.node.StartRole;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Terraform configuration, checked with Terraform itself when a {@code terraform} binary is on the PATH (skipped
 * otherwise; nothing here needs a cloud account or a provider): it is formatted, and its provider-free render module
 * turns an inventory of addresses and zones into a cluster map that cacdb's own parser reads back with the same
 * servers, nodes, zones and quorum, configurations the DAX server and node parse, and a scrape configuration that
 * lists every target; the module's own {@code terraform test} file passes. One format, rendered by Terraform, read by
 * cacdb.
 */
class TerraformRenderTest {

    /** {@code terraform init} and {@code apply} of a module without resources take seconds; this is the hang bound. */
    private static final long TERRAFORM_TIMEOUT_SECONDS = 300;
    private static final List<String> ZONES = List.of("us-east-1a", "us-east-1b", "us-east-1c");
    private static final int SERVERS_PER_ZONE = 3;
    private static final Duration IMDS_TIMEOUT = Duration.ofSeconds(5);

    private static Path terraformDir;

    @TempDir
    Path work;

    @BeforeAll
    static void needsTerraform() {
        assumeTrue(onPath("terraform"), "no terraform on the PATH: the Terraform checks are skipped");
        terraformDir = Path.of(System.getProperty("cacdb.repo.root"), "infra", "terraform").normalize();
    }

    @Test
    void theConfigurationIsFormatted() throws Exception {
        Result fmt = terraform(terraformDir, work, "fmt", "-check", "-recursive", "-diff", terraformDir.toString());
        assertEquals(0, fmt.exit(), "terraform fmt -check -recursive infra/terraform:\n" + fmt.output());
    }

    @Test
    void theRenderModuleWritesAClusterMapAndConfigurationsThatCacdbReads() throws Exception {
        Path render = terraformDir.resolve("modules/render");
        StringBuilder servers = new StringBuilder();
        List<ServerInfo> expectedServers = new ArrayList<>();
        for (int i = 0; i < ZONES.size() * SERVERS_PER_ZONE; i++) {
            String name = "d" + (i + 1);
            String zone = ZONES.get(i / SERVERS_PER_ZONE);
            String address = "10.42." + (i / SERVERS_PER_ZONE + 1) + "." + (10 + i);
            servers.append("    { name = \"").append(name).append("\", address = \"").append(address)
                    .append("\", zone = \"").append(zone).append("\", data_storage = \"instance-store\" },\n");
            expectedServers.add(new ServerInfo(name, address, 7400, zone));
        }
        Files.writeString(work.resolve("main.tf"), """
                module "render" {
                  source = "%s"
                  dax_servers = [
                %s  ]
                  nodes = [
                    { name = "n1", address = "10.42.1.20", zone = "us-east-1a", role = "auto" },
                    { name = "n2", address = "10.42.2.20", zone = "us-east-1b", role = "standby" },
                  ]
                  client_address  = "10.42.1.30"
                  quorum          = { replicas = 6, write_quorum = 4, read_quorum = 3 }
                  artifact_bucket = "cacdb-test-bucket"
                  artifact_key    = "artifacts/cacdb-0.1.0.tar.gz"
                }
                output "render" { value = module.render }
                """.formatted(render.toString().replace("\\", "/"), servers));
        Result init = terraform(work, work, "init", "-input=false", "-no-color");
        assertEquals(0, init.exit(), "terraform init (provider-free, offline):\n" + init.output());
        Result apply = terraform(work, work, "apply", "-auto-approve", "-input=false", "-no-color");
        assertEquals(0, apply.exit(), "terraform apply:\n" + apply.output());
        Result output = terraform(work, work, "output", "-json", "render");
        assertEquals(0, output.exit(), output.output());
        JsonNode rendered = new ObjectMapper().readTree(output.stdout());

        // The cluster map, parsed by cacdb.
        Path mapFile = Files.writeString(work.resolve("cluster.map"), rendered.get("cluster_map").asText());
        ClusterMap map = ClusterMapFile.read(mapFile);
        assertEquals(expectedServers, map.servers());
        assertEquals(Map.of("us-east-1a", 3, "us-east-1b", 3, "us-east-1c", 3), map.serversPerZone());
        assertEquals(6, map.quorum().replicas());
        assertEquals(4, map.quorum().writeQuorum());
        assertEquals(3, map.quorum().readQuorum());
        assertEquals(List.of("n1", "n2"), map.nodes().stream().map(NodeInfo::name).toList());
        assertEquals(List.of("us-east-1a", "us-east-1b"), map.nodes().stream().map(NodeInfo::zone).toList());
        assertEquals("10.42.2.20:8432", map.node("n2").orElseThrow().ha().toString());

        // Each process's configuration, parsed by cacdb; they say zone = imds, answered here by a fake IMDSv2 that
        // reports the zone Terraform put into the map for that instance.
        Path d4 = Files.writeString(work.resolve("d4.conf"), rendered.get("dax_server_configs").get("d4").asText());
        try (FakeImdsV2Server imds = FakeImdsV2Server.start(map.server("d4").orElseThrow().zone())) {
            ServerConfig dax = ServerConfig.load(d4, () -> new InstanceMetadataZone(imds.endpoint(), IMDS_TIMEOUT));
            assertEquals("d4", dax.serverId());
            assertEquals("10.42.2.13", dax.bindHost());
            assertEquals("us-east-1b", dax.zone());
        }
        Path n2 = Files.writeString(work.resolve("n2.conf"), rendered.get("node_configs").get("n2").asText());
        try (FakeImdsV2Server imds = FakeImdsV2Server.start(map.node("n2").orElseThrow().zone())) {
            NodeConfig node = NodeConfig.load(n2, () -> new InstanceMetadataZone(imds.endpoint(), IMDS_TIMEOUT));
            assertEquals("n2", node.nodeName());
            assertEquals("us-east-1b", node.zone());
            assertEquals(StartRole.STANDBY, node.role());
            assertEquals(Path.of("/etc/cacdb/cluster.map"), node.clusterMapFile());
        }

        // The scrape configuration lists every DAX server's and node's admin endpoint.
        String prometheus = rendered.get("prometheus_config").asText();
        for (ServerInfo s : expectedServers) {
            assertTrue(prometheus.contains("\"" + s.host() + ":7480\""), s.id() + " missing in\n" + prometheus);
        }
        assertTrue(prometheus.contains("\"10.42.1.20:8480\"") && prometheus.contains("\"10.42.2.20:8480\""),
                prometheus);
        assertEquals(ZONES.size() * SERVERS_PER_ZONE, rendered.get("prometheus_targets").get("dax").size());
        assertEquals("jdbc:postgresql://10.42.1.20:5432,10.42.2.20:5432/cacdb?user=cacdb&sslmode=disable"
                + "&targetServerType=primary&hostRecheckSeconds=1", rendered.get("jdbc_url").asText());
        // cloud-init carries the very same map to every instance.
        assertTrue(rendered.get("user_data").get("d1").asText().contains("server d9 10.42.3.18:7400 zone=us-east-1c"));
    }

    private record Result(int exit, String stdout, String output) {
    }

    @Test
    void theRenderModulesOwnTerraformTestsPass() throws Exception {
        // render.tftest.hcl: the rendered files' details, and the variable validations refusing bad inventories.
        Path render = terraformDir.resolve("modules/render");
        Result init = terraform(render, work, "init", "-input=false", "-no-color");
        assertEquals(0, init.exit(), init.output());
        Result test = terraform(render, work, "test", "-no-color");
        assertEquals(0, test.exit(), "terraform test in modules/render:\n" + test.output());
        assertTrue(test.stdout().contains("3 passed, 0 failed"), test.output());
    }

    /** Runs terraform in {@code dir}, its working data ({@code .terraform}) under {@code scratch}, not in the tree. */
    private static Result terraform(Path dir, Path scratch, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("terraform");
        command.addAll(List.of(args));
        Path out = Files.createTempFile("terraform", ".out");
        Path err = Files.createTempFile("terraform", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("TF_IN_AUTOMATION", "1");
            pb.environment().put("CHECKPOINT_DISABLE", "1");  // no version check over the network
            pb.environment().put("TF_DATA_DIR", scratch.resolve(".terraform").toString());
            Process p = pb.start();
            if (!p.waitFor(TERRAFORM_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in " + TERRAFORM_TIMEOUT_SECONDS
                        + " s");
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            return new Result(p.exitValue(), stdout, stdout + Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        try (Stream<String> dirs = Stream.of(path.split(File.pathSeparator))) {
            return dirs.anyMatch(d -> Files.isExecutable(Path.of(d, program)));
        }
    }
}
