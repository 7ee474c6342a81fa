package io.cacdb.archive.s3;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The archive's view of one bucket and prefix: put (multipart above {@link #MULTIPART_THRESHOLD_BYTES}), get, list,
 * delete, all with keys relative to the prefix. Every SDK failure becomes an {@link ArchiveException} whose message
 * names the object and what S3 said (refused credentials, missing bucket, unreachable endpoint); a missing object is
 * an {@link ObjectMissingException}. Thread-safe (the SDK client is); closes the client it created.
 */
public final class S3Store implements AutoCloseable {

    /**
     * Objects above 16 MiB go up in parts: a failed part is retried alone, and S3 needs parts of at least 5 MiB
     * (except the last) — 8 MiB parts keep one part's retry cheap.
     */
    public static final int MULTIPART_THRESHOLD_BYTES = 16 << 20;
    public static final int MULTIPART_PART_BYTES = 8 << 20;
    /** Keys per LIST page: S3's own maximum. */
    static final int LIST_PAGE_KEYS = 1000;
    /** Connecting to the endpoint: a dead port fails at once, a black hole within this bound. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final S3Config config;
    private final S3Client client;

    private S3Store(S3Config config, S3Client client) {
        this.config = config;
        this.client = client;
    }

    public static S3Store open(S3Config config) {
        AwsCredentialsProvider credentials = config.staticCredentials()
                .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
        S3ClientBuilder b = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(config.requestTimeout()).build())
                .overrideConfiguration(o -> o.apiCallTimeout(config.requestTimeout()));
        config.endpoint().ifPresent(e -> b.endpointOverride(e).forcePathStyle(true));
        return new S3Store(config, b.build());
    }

    public S3Config config() {
        return config;
    }

    /** Stores {@code bytes} at {@code key} (relative to the prefix), replacing what is there. */
    public void put(String key, byte[] bytes) {
        try {
            if (bytes.length <= MULTIPART_THRESHOLD_BYTES) {
                client.putObject(r -> r.bucket(config.bucket()).key(config.key(key)), RequestBody.fromBytes(bytes));
                return;
            }
            putMultipart(key, bytes);
        } catch (SdkException e) {
            throw translate(e, "storing " + config.url(key));
        }
    }

    private void putMultipart(String key, byte[] bytes) {
        String full = config.key(key);
        String uploadId = client.createMultipartUpload(r -> r.bucket(config.bucket()).key(full)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (int off = 0, n = 1; off < bytes.length; off += MULTIPART_PART_BYTES, n++) {
                int len = Math.min(MULTIPART_PART_BYTES, bytes.length - off);
                int partNo = n;
                String etag = client.uploadPart(r -> r.bucket(config.bucket()).key(full).uploadId(uploadId)
                        .partNumber(partNo), RequestBody.fromByteBuffer(java.nio.ByteBuffer.wrap(bytes, off, len)))
                        .eTag();
                parts.add(CompletedPart.builder().partNumber(partNo).eTag(etag).build());
            }
            client.completeMultipartUpload(r -> r.bucket(config.bucket()).key(full).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
        } catch (SdkException e) {
            try {
                client.abortMultipartUpload(r -> r.bucket(config.bucket()).key(full).uploadId(uploadId));
            } catch (SdkException abortFailure) {
                e.addSuppressed(abortFailure);
            }
            throw e;
        }
    }

    /** The object at {@code key}; {@code what} names it in the error if it is missing ("backup manifest"). */
    public byte[] get(String key, String what) {
        return find(key).orElseThrow(() -> new ObjectMissingException(config.url(key), what));
    }

    /** The object at {@code key}, or empty if there is none. */
    public Optional<byte[]> find(String key) {
        try {
            ResponseBytes<GetObjectResponse> r = client.getObjectAsBytes(g -> g.bucket(config.bucket())
                    .key(config.key(key)));
            return Optional.of(r.asByteArrayUnsafe());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw translate(e, "reading " + config.url(key));
        }
    }

    /** An object's key (relative to the prefix) and size. */
    public record Listed(String key, long sizeBytes) {
    }

    /** Every object whose key starts with {@code keyPrefix} (relative), in key order, after {@code startAfter}. */
    public List<Listed> list(String keyPrefix, Optional<String> startAfter) {
        List<Listed> out = new ArrayList<>();
        String full = config.key(keyPrefix);
        int strip = config.prefix().isEmpty() ? 0 : config.prefix().length() + 1;
        try {
            ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(full)
                    .maxKeys(LIST_PAGE_KEYS);
            startAfter.ifPresent(s -> req.startAfter(config.key(s)));
            String token = null;
            do {
                if (token != null) {
                    req.continuationToken(token);
                }
                ListObjectsV2Response page = client.listObjectsV2(req.build());
                for (S3Object o : page.contents()) {
                    out.add(new Listed(o.key().substring(strip), o.size()));
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
            return out;
        } catch (SdkException e) {
            throw translate(e, "listing " + config.url(keyPrefix) + "*");
        }
    }

    public void delete(String key) {
        try {
            client.deleteObject(d -> d.bucket(config.bucket()).key(config.key(key)));
        } catch (SdkException e) {
            throw translate(e, "deleting " + config.url(key));
        }
    }

    /** Lower-case hex SHA-256 of {@code bytes}: the checksum manifests record for every object. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    private ArchiveException translate(SdkException e, String doing) {
        if (e instanceof S3Exception s) {
            String code = s.awsErrorDetails() == null ? "?" : s.awsErrorDetails().errorCode();
            int status = s.statusCode();
            if (status == 403) {
                return new ArchiveException(doing + ": S3 refused the request (HTTP 403 " + code + "); check the"
                        + " credentials (default chain or static keys) and the bucket policy for bucket '"
                        + config.bucket() + "'", e);
            }
            if ("NoSuchBucket".equals(code)) {
                return new ArchiveException(doing + ": bucket '" + config.bucket() + "' does not exist", e);
            }
            if (status == 503 || "SlowDown".equals(code)) {
                return new ArchiveException(doing + ": S3 asks to slow down (HTTP " + status + " " + code + ")", e);
            }
            return new ArchiveException(doing + ": S3 answered HTTP " + status + " " + code + ": " + s.getMessage(), e);
        }
        if (e instanceof SdkClientException && e.getCause() instanceof IOException io) {
            return new ArchiveException(doing + ": S3 endpoint "
                    + config.endpoint().map(Object::toString).orElse("of region " + config.region())
                    + " unreachable: " + io, e);
        }
        return new ArchiveException(doing + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        client.close();
    }
}
