package io.cacdb.server.pgwire;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions a CancelRequest can name: process id → (secret key, connection). Process ids are unique among live
 * sessions and positive; secret keys are random, compared in constant time, so a CancelRequest must carry what
 * BackendKeyData told that one client. Thread-safe.
 */
final class CancelRegistry {

    record Key(int processId, int secretKey) {
    }

    private final Map<Integer, Registered> live = new ConcurrentHashMap<>();
    private final AtomicInteger nextProcessId = new AtomicInteger(1);
    private final SecureRandom random = new SecureRandom();

    private record Registered(int secretKey, PgConnection connection) {
    }

    /** Registers a connection under a fresh process id and secret. */
    Key register(PgConnection connection) {
        int secret = random.nextInt();
        while (true) {
            int pid = nextProcessId.getAndUpdate(p -> p == Integer.MAX_VALUE ? 1 : p + 1);
            if (live.putIfAbsent(pid, new Registered(secret, connection)) == null) {
                return new Key(pid, secret);
            }
        }
    }

    void unregister(int processId, PgConnection connection) {
        live.computeIfPresent(processId, (pid, r) -> r.connection() == connection ? null : r);
    }

    /** The connection named by a CancelRequest, or null when the id is unknown or the key is wrong. */
    PgConnection find(int processId, int secretKey) {
        Registered r = live.get(processId);
        if (r == null) {
            return null;
        }
        boolean match = MessageDigest.isEqual(ByteBuffer.allocate(4).putInt(r.secretKey()).array(),
                ByteBuffer.allocate(4).putInt(secretKey).array());
        return match ? r.connection() : null;
    }
}
