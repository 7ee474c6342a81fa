package io.cacdb.dax.placement;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Asks the EC2 instance metadata service (IMDSv2) which availability zone this machine is in, for a process whose
 * configuration says {@code zone = imds}: {@code PUT /latest/api/token} with a TTL header, then
 * {@code GET /latest/meta-data/placement/availability-zone} with that token. Two requests on {@code java.net.http},
 * no AWS SDK.
 *
 * <p>The endpoint is {@code http://169.254.169.254} unless the environment variable
 * {@value #ENDPOINT_ENV} (the name the AWS SDKs use) says otherwise. Every request has a short deadline: off EC2
 * nothing answers on that address, and a process should fail its start-up within seconds with a message that says
 * what to do, not hang. Thread-safe; one instance may be used for any number of lookups.
 */
public final class InstanceMetadataZone {

    /** The configuration value that asks for the zone from the instance metadata service. */
    public static final String CONFIG_VALUE = "imds";
    /** The link-local address EC2 serves instance metadata on. */
    public static final URI DEFAULT_ENDPOINT = URI.create("http://169.254.169.254");
    /** Environment variable overriding the endpoint (same name as the AWS SDKs and CLI use). */
    public static final String ENDPOINT_ENV = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
    /**
     * Deadline of the connection and of each request: IMDS answers in about a millisecond on EC2, so two seconds
     * only wait for a busy hypervisor or a cold JVM on a loaded machine, and off EC2 start-up fails within seconds.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Whole lookups (token, then zone) tried before giving up: IMDS is throttled per instance, like the AWS SDKs. */
    public static final int ATTEMPTS = 3;
    /** The token is used once, right away: its lifetime only has to cover the second request. */
    public static final int TOKEN_TTL_SECONDS = 60;
    /** Longest token or zone name accepted: tokens are 56 characters, zone names under 30; more is not IMDS. */
    static final int MAX_ANSWER_CHARS = 512;

    static final String TOKEN_PATH = "/latest/api/token";
    static final String ZONE_PATH = "/latest/meta-data/placement/availability-zone";
    static final String TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
    static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";

    private final URI endpoint;
    private final Duration timeout;
    private final HttpClient http;

    public InstanceMetadataZone(URI endpoint, Duration timeout) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("IMDS timeout must be positive, was " + timeout);
        }
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** The endpoint from {@value #ENDPOINT_ENV}, or {@link #DEFAULT_ENDPOINT}; {@link #DEFAULT_TIMEOUT}. */
    public static InstanceMetadataZone fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static InstanceMetadataZone fromEnvironment(Map<String, String> env) {
        String configured = env.get(ENDPOINT_ENV);
        URI endpoint = DEFAULT_ENDPOINT;
        if (configured != null && !configured.isBlank()) {
            try {
                endpoint = URI.create(configured.strip());
            } catch (IllegalArgumentException e) {
                throw new InstanceMetadataException(ENDPOINT_ENV + "='" + configured + "' is not a URL: "
                        + e.getMessage(), e);
            }
            if (!"http".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
                throw new InstanceMetadataException(ENDPOINT_ENV + "='" + configured
                        + "' must be an http://host[:port] URL");
            }
        }
        return new InstanceMetadataZone(endpoint, DEFAULT_TIMEOUT);
    }

    public URI endpoint() {
        return endpoint;
    }

    /**
     * This machine's availability zone, for example {@code us-east-1a}.
     *
     * @throws InstanceMetadataException naming the endpoint and the step when the service does not answer in time,
     *         refuses, or answers something that is not a zone name
     */
    public String availabilityZone() {
        InstanceMetadataException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return lookUp();
            } catch (InstanceMetadataException e) {
                if (last != null) {
                    e.addSuppressed(last);
                }
                last = e;
            }
        }
        throw last;
    }

    private String lookUp() {
        String token = send(HttpRequest.newBuilder(endpoint.resolve(TOKEN_PATH))
                .header(TOKEN_TTL_HEADER, Integer.toString(TOKEN_TTL_SECONDS))
                .PUT(HttpRequest.BodyPublishers.noBody()), "token (PUT " + TOKEN_PATH + ")");
        String zone = send(HttpRequest.newBuilder(endpoint.resolve(ZONE_PATH)).header(TOKEN_HEADER, token).GET(),
                "availability zone (GET " + ZONE_PATH + ")");
        if (!zone.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new InstanceMetadataException("the instance metadata service at " + endpoint
                    + " answered an availability zone '" + zone + "' that is not a zone name");
        }
        return zone;
    }

    private String send(HttpRequest.Builder request, String step) {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw failure(step, "no answer within " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw failure(step, e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(step, "interrupted", e);
        }
        String body = response.body().strip();
        if (response.statusCode() != 200) {
            throw failure(step, "HTTP " + response.statusCode() + " " + abbreviate(body), null);
        }
        if (body.isEmpty() || body.length() > MAX_ANSWER_CHARS) {
            throw failure(step, "an answer of " + body.length() + " characters", null);
        }
        return body;
    }

    private InstanceMetadataException failure(String step, String what, Exception cause) {
        return new InstanceMetadataException("cannot learn this machine's zone from the EC2 instance metadata service"
                + " (IMDSv2) at " + endpoint + " (" + ATTEMPTS + " attempts): " + step + " failed: " + what
                + ". Off EC2, give the zone explicitly instead of 'zone = " + CONFIG_VALUE + "'; on EC2, check that the"
                + " instance allows IMDSv2 with a hop limit of at least 1 (or set " + ENDPOINT_ENV + ")", cause);
    }

    private static String abbreviate(String body) {
        return body.length() <= 80 ? body : body.substring(0, 80) + "...";
    }

    /** The zone could not be learned; the message names the endpoint, the step and what to do. */
    public static final class InstanceMetadataException extends RuntimeException {
        public InstanceMetadataException(String message) {
            super(message);
        }

        public InstanceMetadataException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
