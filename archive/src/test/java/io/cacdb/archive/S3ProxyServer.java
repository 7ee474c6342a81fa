package io.cacdb.archive;

import io.cacdb.archive.s3.S3Config;
import java.net.URI;
import java.util.Optional;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * A real S3-compatible server for tests: S3Proxy in this JVM over an in-memory blob store, checking SigV4 signatures
 * against one access key. {@link #stop()} and {@link #start()} take it down and bring it back on the same port with
 * the same objects, so a test can make S3 unreachable.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "cacdb-test-access";
    public static final String SECRET_KEY = "cacdb-test-secret";

    private final BlobStore blobs;
    private int port;
    private S3Proxy proxy;

    private S3ProxyServer(BlobStore blobs) {
        this.blobs = blobs;
    }

    /** Objects in memory. */
    public static S3ProxyServer startNew() {
        S3ProxyServer s = new S3ProxyServer(new TransientNio2BlobStore());
        s.start();
        return s;
    }

    /** Objects in files under {@code dir} (benchmarks: more data than the heap holds). */
    public static S3ProxyServer startOnDisk(java.nio.file.Path dir) {
        S3ProxyServer s = new S3ProxyServer(new org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore(dir.toString()));
        s.start();
        return s;
    }

    public synchronized void start() {
        S3Proxy p = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        try {
            p.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(p.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start within 30 s: " + p.getState());
                }
                Thread.onSpinWait();
            }
        } catch (Exception e) {
            throw new IllegalStateException("starting S3Proxy: " + e, e);
        }
        port = p.getPort();
        proxy = p;
    }

    public synchronized void stop() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping S3Proxy: " + e, e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A config for {@code bucket}/{@code prefix} on this server with the right credentials. */
    public S3Config config(String bucket, String prefix) {
        return S3Config.of(S3Config.DEFAULT_REGION, bucket, prefix, Optional.of(endpoint()))
                .withStaticCredentials(ACCESS_KEY, SECRET_KEY);
    }

    /** Creates a bucket (tests start with none). */
    public void createBucket(String bucket) {
        try (var client = software.amazon.awssdk.services.s3.S3Client.builder()
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .endpointOverride(endpoint()).forcePathStyle(true)
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build()) {
            client.createBucket(b -> b.bucket(bucket));
        }
    }

    @Override
    public void close() {
        stop();
    }
}
