package io.cacdb.cli.localcluster;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Asks a process's admin endpoint for {@code /health} and returns its JSON fields ({@code status}, {@code role},
 * ...). A process that does not answer is reported as {@code status = unreachable}, one that answers garbage as
 * {@code status = bad-answer}: status is for people, it never throws.
 */
public final class HealthProbe {

    private final HttpClient http;
    private final Duration timeout;

    public HealthProbe(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public Map<String, String> health(String host, int port) {
        String h = host.contains(":") ? "[" + host + "]" : host;
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + h + ":" + port + "/health"))
                .timeout(timeout).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            Map<String, String> fields = new LinkedHashMap<>(ClusterState.JSON.readValue(response.body(),
                    new TypeReference<Map<String, String>>() { }));
            fields.putIfAbsent("status", "HTTP " + response.statusCode());
            return fields;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            return Map.of("status", "bad-answer");
        } catch (IOException e) {
            return Map.of("status", "unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of("status", "interrupted");
        }
    }
}
