package io.cacdb.cli.experiment;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of a node's {@code GET /metrics} (Prometheus text, docs/operations.md), parsed into
 * {@code name{labels}} → value. Only what the experiment reads: buffer-pool occupancy and the takeover steps.
 */
public record NodeMetrics(Map<String, Double> samples) {

    /** A local node answers in milliseconds; a scrape that takes 2 s is skipped, not waited for. */
    static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(2);
    /** Frames holding a page ({@code BufferPool}). */
    public static final String RESIDENT_PAGES = "cacdb_bufferpool_resident_pages";
    public static final String FRAMES = "cacdb_bufferpool_frames";
    /** A Micrometer timer per takeover step ({@code io.cacdb.server.ha.Takeover}): its sum is the step's time. */
    static final String TAKEOVER_STEP_SUM = "cacdb_takeover_step_seconds_sum";

    public NodeMetrics {
        samples = Map.copyOf(samples);
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(SCRAPE_TIMEOUT).build();

    /** Scrapes {@code http://host:port/metrics}; an unreachable node is an {@link IOException}. */
    public static NodeMetrics scrape(String host, int adminPort) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + adminPort + "/metrics"))
                .timeout(SCRAPE_TIMEOUT).GET().build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /metrics of " + host + ":" + adminPort + " answered HTTP "
                    + response.statusCode());
        }
        return parse(response.body());
    }

    /** Parses Prometheus text: {@code name{labels} value}, comments and unparsable values skipped. */
    public static NodeMetrics parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                continue;
            }
            try {
                samples.put(line.substring(0, space).strip(), Double.parseDouble(line.substring(space + 1).strip()));
            } catch (NumberFormatException e) {
                // a value Prometheus allows but we do not read (e.g. a timestamp suffix): not needed here
                continue;
            }
        }
        return new NodeMetrics(samples);
    }

    /** The first sample of metric {@code name} (any labels), or NaN. */
    public double first(String name) {
        for (Map.Entry<String, Double> e : samples.entrySet()) {
            String key = e.getKey();
            if (key.equals(name) || key.startsWith(name + "{")) {
                return e.getValue();
            }
        }
        return Double.NaN;
    }

    /** Resident pages / frames, NaN when the pool's gauges are not there (no pool yet). */
    public double bufferPoolOccupancy() {
        double frames = first(FRAMES);
        double resident = first(RESIDENT_PAGES);
        return frames > 0 && !Double.isNaN(resident) ? resident / frames : Double.NaN;
    }

    /** The takeover's steps in the order they run ({@code io.cacdb.server.ha.Takeover}); cold ones are prefixed. */
    static final List<String> STEP_ORDER = List.of("fence", "lease_check", "log_end", "catch_up", "new_epoch",
            "write_path", "undo", "serve");

    /** Each takeover step's duration in milliseconds, in the order the steps run (unknown names last). */
    public Map<String, Double> takeoverStepsMillis() {
        Map<String, Double> found = new java.util.TreeMap<>();
        samples.forEach((key, value) -> {
            if (key.startsWith(TAKEOVER_STEP_SUM + "{")) {
                String step = label(key, "step");
                if (step != null) {
                    found.put(step, value * 1000.0);
                }
            }
        });
        Map<String, Double> steps = new LinkedHashMap<>();
        found.entrySet().stream().sorted(java.util.Comparator.comparingInt(e -> rank(e.getKey())))
                .forEach(e -> steps.put(e.getKey(), e.getValue()));
        return steps;
    }

    private static int rank(String step) {
        String base = step.startsWith("cold_") ? step.substring("cold_".length()) : step;
        int i = STEP_ORDER.indexOf(base);
        return i < 0 ? STEP_ORDER.size() : i;
    }

    static String label(String key, String label) {
        int at = key.indexOf(label + "=\"");
        if (at < 0) {
            return null;
        }
        int from = at + label.length() + 2;
        int to = key.indexOf('"', from);
        return to < 0 ? null : key.substring(from, to);
    }
}
