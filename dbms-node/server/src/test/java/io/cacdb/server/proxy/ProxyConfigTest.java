package io.cacdb.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.admin.ConfigFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyConfigTest {

    @TempDir
    Path dir;

    private ProxyConfig load(String text) throws Exception {
        Path f = dir.resolve("proxy.conf");
        Files.writeString(f, text);
        return ProxyConfig.load(f);
    }

    private String refused(String text) {
        return assertThrows(ConfigFileException.class, () -> load(text)).getMessage();
    }

    @Test
    void defaultsAndARelativeMapResolvedAgainstTheFile() throws Exception {
        ProxyConfig c = load("# a comment\n\ncluster-map = maps/cluster.map\nport = 7000\n");
        assertEquals(dir.resolve("maps/cluster.map"), c.clusterMapFile());
        assertEquals(7000, c.port());
        assertEquals(ProxyConfig.DEFAULT_ADMIN_PORT, c.adminPort());
        assertEquals(1, c.volume());
        assertEquals(ProxyConfig.DEFAULT_CONNECT_WAIT_MILLIS, c.connectWait().toMillis());
        assertEquals("proxy", c.zone());
    }

    @Test
    void badInputNamesFileLineKeyAndValue() {
        String unknown = refused("cluster-map = m\nprot = 1\n");
        assertTrue(unknown.contains("proxy.conf:2: unknown key 'prot'"), unknown);
        String repeated = refused("cluster-map = m\nport = 1\nport = 2\n");
        assertTrue(repeated.contains(":3: key 'port' repeated (first on line 2)"), repeated);
        String range = refused("cluster-map = m\nport = 70000\n");
        assertTrue(range.contains(":2: key 'port' has bad value '70000': must be in 0..65535"), range);
        String notNumber = refused("cluster-map = m\nmax-connections = many\n");
        assertTrue(notNumber.contains("key 'max-connections' has bad value 'many': expected an integer"), notNumber);
        String missing = refused("port = 1\n");
        assertTrue(missing.contains("required key 'cluster-map' is missing"), missing);
        String same = refused("cluster-map = m\nport = 6000\nadmin-port = 6000\n");
        assertTrue(same.contains("port and admin-port must differ"), same);
        String noEquals = refused("cluster-map m\n");
        assertTrue(noEquals.contains(":1: expected 'key = value'"), noEquals);
    }
}
