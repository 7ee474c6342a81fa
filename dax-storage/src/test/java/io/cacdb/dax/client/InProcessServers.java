package io.cacdb.dax.client;

import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.QuorumConfig;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.server.DaxServer;
import io.cacdb.dax.server.ServerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Nine real DAX servers d1..d9 in zones a, b, c in this JVM, on ephemeral ports kept across restarts. */
final class InProcessServers implements AutoCloseable {

    private final Map<String, ServerConfig> configs = new LinkedHashMap<>();
    private final Map<String, DaxServer> running = new LinkedHashMap<>();
    private final ClusterMap map;

    InProcessServers(Path dir) {
        String[] zones = {"a", "b", "c"};
        List<ServerInfo> infos = new ArrayList<>();
        for (int i = 1; i <= 9; i++) {
            String id = "d" + i;
            ServerConfig c = ServerConfig.defaults(id, zones[(i - 1) / 3], dir.resolve(id)).withPorts(0, 0)
                    .withThreads(1, 2).withCacheBytes(8L << 20);
            DaxServer s = DaxServer.start(c);
            c = c.withPorts(s.rpcPort(), 0);
            configs.put(id, c);
            running.put(id, s);
            infos.add(new ServerInfo(id, "127.0.0.1", s.rpcPort(), c.zone()));
        }
        map = new ClusterMap(infos, QuorumConfig.DEFAULT);
    }

    ClusterMap map() {
        return map;
    }

    void crash(String id) {
        running.remove(id).crash();
    }

    void stop(String id) {
        running.remove(id).close();
    }

    void restart(String id) {
        running.put(id, DaxServer.start(configs.get(id)));
    }

    Path dataDir(String id) {
        return configs.get(id).dataDir();
    }

    @Override
    public void close() {
        running.values().forEach(DaxServer::close);
        running.clear();
    }
}
