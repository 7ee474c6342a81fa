package io.cacdb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cacdb.cli.localcluster.LocalCluster;
import io.cacdb.cli.localcluster.LocalClusterException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./cacdb switchover --dir DIR | --admin HOST:PORT}: a planned handover of the active role to the standby
 * (docs/failover.md "Switchover"). It finds the active (the node of DIR's local cluster whose {@code /health} says
 * ACTIVE, or the admin endpoint given), asks it with {@code POST /switchover}, and prints what happened.
 */
@Command(name = "switchover", mixinStandardHelpOptions = true,
        description = {"Planned handover of the active role to the standby, no acknowledged commit lost: the active "
                + "ends its sessions, releases its lease, the standby takes over warm at once, the old active "
                + "rejoins as standby. Clients reconnect through the multi-host URL or the proxy.",
                "Run it on the active's host (the admin action only answers callers on a loopback address). "
                        + "Exit 0 when handed over, 1 when refused (no live standby, not active) or failed, "
                        + "2 for bad options."})
final class SwitchoverCommand implements Callable<Integer> {

    /** The handover itself takes well under a second; the node gives the standby 10 s before it gives up. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--dir", paramLabel = "DIR", description = "a local cluster's directory (./cacdb cluster up)")
        Path dir;

        @Option(names = "--admin", paramLabel = "HOST:PORT", description = "the active node's admin HTTP endpoint")
        String admin;
    }

    @Override
    public Integer call() {
        String endpoint;
        if (target.dir != null) {
            try {
                List<LocalCluster.MemberStatus> active = LocalCluster.status(target.dir).nodes().stream()
                        .filter(n -> n.alive() && "ACTIVE".equals(n.role())).toList();
                if (active.size() != 1) {
                    System.err.println("switchover: expected one ACTIVE node in " + target.dir + ", found "
                            + active.size() + " (see ./cacdb cluster status --dir " + target.dir + ")");
                    return 1;
                }
                endpoint = active.get(0).member().host() + ":" + active.get(0).member().port("admin");
            } catch (LocalClusterException e) {
                System.err.println("switchover: " + e.getMessage());
                return 2;
            }
        } else {
            if (!target.admin.matches("[^:\\s]+:\\d{1,5}")) {
                System.err.println("switchover: --admin must be HOST:PORT, got '" + target.admin + "'");
                return 2;
            }
            endpoint = target.admin;
        }
        System.out.println("switchover: asking the active at " + endpoint + " to hand over");
        HttpResponse<String> response;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            response = http.send(HttpRequest.newBuilder(URI.create("http://" + endpoint + "/switchover"))
                    .timeout(REQUEST_TIMEOUT).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            System.err.println("switchover: cannot reach " + endpoint + ": " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        JsonNode body;
        try {
            body = new ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            System.err.println("switchover: HTTP " + response.statusCode() + " with an unexpected answer: "
                    + response.body());
            return 1;
        }
        if (response.statusCode() != 200) {
            System.err.println("switchover: refused by " + body.path("node").asText(endpoint) + " (HTTP "
                    + response.statusCode() + "): " + body.path("error").asText(response.body()));
            return 1;
        }
        String to = body.path("new_active").asText();
        if (to.isEmpty()) {
            System.err.println("switchover: the lease was released but no standby took it within the node's timeout; "
                    + body.path("node").asText() + " rejoined as standby and takes the released lease back itself: "
                    + body);
            return 1;
        }
        System.out.println("switchover: " + body.path("node").asText() + " -> " + to + " (epoch "
                + body.path("new_epoch").asText() + "): sessions ended and lease released in "
                + body.path("released_millis").asText() + " ms, " + to + " serving after "
                + body.path("handed_over_millis").asText() + " ms; " + body.path("node").asText() + " is "
                + body.path("role").asText());
        return 0;
    }
}
