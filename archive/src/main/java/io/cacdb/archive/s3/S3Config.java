package io.cacdb.archive.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the archive lives: a bucket in a region, every key under {@code prefix}, and optionally an endpoint override
 * (S3-compatible stores, LocalStack, the test's S3Proxy), which always uses path-style addressing. Credentials come
 * from the SDK's default chain ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, profiles, instance roles)
 * unless {@code staticCredentials} are given (tests). Checked on construction: a config that exists can be used.
 *
 * @param region            AWS region name, e.g. {@code us-east-1}
 * @param bucket            bucket name (3 to 63 lower-case letters, digits, '.', '-')
 * @param prefix            key prefix without leading or trailing '/', may be empty
 * @param endpoint          endpoint override, e.g. {@code http://127.0.0.1:9000}; path-style when present
 * @param staticCredentials fixed credentials instead of the default chain
 * @param requestTimeout    bound on one S3 API call, retries included
 */
public record S3Config(String region, String bucket, String prefix, Optional<URI> endpoint,
                       Optional<StaticCredentials> staticCredentials, Duration requestTimeout) {

    /** An access key pair, for tests and S3-compatible stores; production uses the default chain. */
    public record StaticCredentials(String accessKeyId, String secretAccessKey) {
        public StaticCredentials {
            if (accessKeyId == null || accessKeyId.isBlank() || secretAccessKey == null || secretAccessKey.isBlank()) {
                throw new S3ConfigException("static S3 credentials need a non-blank access key id and secret key");
            }
        }

        @Override
        public String toString() {
            return "StaticCredentials[" + accessKeyId + ", secret hidden]";
        }
    }

    /**
     * One API call, SDK retries included: long enough for an 8 MiB part on a slow link, short enough that an archiver
     * facing a dead endpoint backs off and reports within a minute.
     */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** The region the SDK signs for when none is given; S3-compatible stores accept any. */
    public static final String DEFAULT_REGION = "us-east-1";

    public S3Config {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(staticCredentials, "staticCredentials");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (region == null || !region.matches("[a-z0-9-]{1,64}")) {
            throw new S3ConfigException("S3 region '" + region + "' must be lower-case letters, digits and '-'");
        }
        if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new S3ConfigException("S3 bucket '" + bucket + "' must be 3 to 63 lower-case letters, digits, '.'"
                    + " or '-', starting and ending with a letter or digit");
        }
        prefix = prefix == null ? "" : prefix;
        if (prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("//")) {
            throw new S3ConfigException("S3 prefix '" + prefix + "' must not start or end with '/' or contain '//'");
        }
        endpoint.ifPresent(e -> {
            if (e.getScheme() == null || !(e.getScheme().equals("http") || e.getScheme().equals("https"))
                    || e.getHost() == null) {
                throw new S3ConfigException("S3 endpoint '" + e + "' must be an http:// or https:// URL with a host");
            }
        });
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new S3ConfigException("S3 request timeout must be positive, was " + requestTimeout);
        }
    }

    /** A config on the default credential chain and request timeout. */
    public static S3Config of(String region, String bucket, String prefix, Optional<URI> endpoint) {
        return new S3Config(region, bucket, prefix, endpoint, Optional.empty(), DEFAULT_REQUEST_TIMEOUT);
    }

    public S3Config withStaticCredentials(String accessKeyId, String secretAccessKey) {
        return new S3Config(region, bucket, prefix, endpoint,
                Optional.of(new StaticCredentials(accessKeyId, secretAccessKey)), requestTimeout);
    }

    public S3Config withRequestTimeout(Duration timeout) {
        return new S3Config(region, bucket, prefix, endpoint, staticCredentials, timeout);
    }

    /** The full key of {@code relative} under the prefix. */
    public String key(String relative) {
        return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }

    /** {@code s3://bucket/key}, for messages. */
    public String url(String relative) {
        return "s3://" + bucket + "/" + key(relative);
    }
}
