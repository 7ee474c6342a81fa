package io.cacdb.cli;

import io.cacdb.archive.s3.ArchiveException;
import io.cacdb.archive.s3.S3Config;
import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * The S3 location of the archive (the same settings as a node's {@code archive-s3-*} keys) and the DAX cluster, for
 * {@code backup} and {@code restore}. Credentials come from the AWS SDK's default chain
 * ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, {@code ~/.aws}, instance roles).
 */
final class ArchiveOptions {

    @Option(names = "--s3-bucket", required = true, paramLabel = "BUCKET", description = "the archive's bucket")
    String bucket;

    @Option(names = "--s3-region", defaultValue = S3Config.DEFAULT_REGION, paramLabel = "REGION",
            description = "the bucket's region (default: ${DEFAULT-VALUE})")
    String region;

    @Option(names = "--s3-prefix", defaultValue = "", paramLabel = "PREFIX",
            description = "key prefix of the archive, as in the node config (default: none)")
    String prefix;

    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "endpoint override for S3-compatible stores, path-style (e.g. http://127.0.0.1:9000)")
    URI endpoint;

    /**
     * Runs a command's body; an {@link ArchiveException} (a missing or corrupt object, a gap, a bad target, refused
     * credentials) is printed as one line naming what is wrong, exit code 1, without a stack trace.
     */
    static int reportingErrors(Callable<Integer> body) throws Exception {
        try {
            return body.call();
        } catch (ArchiveException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }

    S3Config s3() {
        return S3Config.of(region, bucket, prefix, Optional.ofNullable(endpoint));
    }

    /** The DAX side: a cluster map file and the zone this tool counts as near. */
    static final class Dax {
        @Option(names = "--cluster-map", required = true, paramLabel = "FILE",
                description = "the cluster map naming the DAX servers")
        Path clusterMap;

        @Option(names = "--zone", defaultValue = "a", paramLabel = "Z",
                description = "this tool's zone: DAX replicas in it are read first (default: ${DEFAULT-VALUE})")
        String zone;

        DaxClient client() {
            return DaxClient.create(ClusterMapFile.read(clusterMap), DaxClientConfig.defaults(zone),
                    new SimpleMeterRegistry());
        }
    }
}
