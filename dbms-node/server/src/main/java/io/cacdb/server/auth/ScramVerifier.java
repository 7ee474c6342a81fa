package io.cacdb.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the server stores for a SCRAM-SHA-256 user: salt, iteration count, StoredKey = H(HMAC(SaltedPassword, "Client
 * Key")) and ServerKey = HMAC(SaltedPassword, "Server Key"), SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, i).
 * It proves nothing on its own: the password cannot be recovered from it, but whoever holds it can impersonate the
 * server to a client, so it is still a secret. {@link #toString()} is PostgreSQL's {@code pg_authid.rolpassword}
 * format, {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>} (Base64), which {@link #parse} reads, so
 * verifiers can be copied from a PostgreSQL server.
 */
public record ScramVerifier(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {

    /** PostgreSQL's default {@code scram_iterations}, the minimum RFC 7677 recommends. */
    public static final int DEFAULT_ITERATIONS = 4096;
    /** Iteration counts above this are refused: each connection attempt costs the client this many HMACs. */
    public static final int MAX_ITERATIONS = 1 << 24;
    /** Salt length of new verifiers: PostgreSQL's SCRAM_DEFAULT_SALT_LEN. */
    public static final int SALT_BYTES = 16;
    /** SHA-256 output: the length of StoredKey, ServerKey and proofs. */
    public static final int KEY_BYTES = 32;

    private static final String PREFIX = "SCRAM-SHA-256$";

    public ScramVerifier {
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("SCRAM iterations must be in [1, " + MAX_ITERATIONS + "], got "
                    + iterations);
        }
        if (salt.length == 0 || storedKey.length != KEY_BYTES || serverKey.length != KEY_BYTES) {
            throw new IllegalArgumentException("a SCRAM-SHA-256 verifier needs a salt and 32-byte keys, got salt "
                    + salt.length + ", StoredKey " + storedKey.length + ", ServerKey " + serverKey.length);
        }
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    /** Hashes a password into a verifier (slow on purpose: {@code iterations} HMACs). */
    public static ScramVerifier fromPassword(String password, byte[] salt, int iterations) {
        if (password.isEmpty()) {
            throw new IllegalArgumentException("an empty password cannot be used with SCRAM");
        }
        byte[] salted = saltedPassword(normalize(password), salt, iterations);
        byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] serverKey = hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        return new ScramVerifier(salt, iterations, sha256(clientKey), serverKey);
    }

    /** Reads PostgreSQL's stored form {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}. */
    public static ScramVerifier parse(String stored) {
        if (!stored.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a SCRAM-SHA-256 verifier (no " + PREFIX + " prefix)");
        }
        String[] parts = stored.substring(PREFIX.length()).split("\\$", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("a SCRAM-SHA-256 verifier has the form " + PREFIX
                    + "<iterations>:<salt>$<StoredKey>:<ServerKey>");
        }
        String[] head = parts[0].split(":", -1);
        String[] keys = parts[1].split(":", -1);
        if (head.length != 2 || keys.length != 2) {
            throw new IllegalArgumentException("a SCRAM-SHA-256 verifier has the form " + PREFIX
                    + "<iterations>:<salt>$<StoredKey>:<ServerKey>");
        }
        Base64.Decoder b64 = Base64.getDecoder();
        return new ScramVerifier(b64.decode(head[1]), Integer.parseInt(head[0]), b64.decode(keys[0]),
                b64.decode(keys[1]));
    }

    @Override
    public String toString() {
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey) + ":"
                + b64.encodeToString(serverKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramVerifier v && iterations == v.iterations && Arrays.equals(salt, v.salt)
                && MessageDigest.isEqual(storedKey, v.storedKey) && MessageDigest.isEqual(serverKey, v.serverKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(salt) * 31 + iterations;
    }

    /**
     * An approximation of SASLprep (RFC 4013) for the password: non-ASCII spaces become a space, characters "commonly
     * mapped to nothing" are removed, then NFKC. ASCII passwords are unchanged, as in PostgreSQL; a non-ASCII password
     * that SASLprep would reject (PostgreSQL then uses its raw bytes) may hash differently here.
     */
    static byte[] normalize(String password) {
        boolean ascii = password.chars().allMatch(c -> c < 0x80);
        if (ascii) {
            return password.getBytes(StandardCharsets.UTF_8);
        }
        StringBuilder sb = new StringBuilder(password.length());
        password.codePoints().forEach(cp -> {
            if (Character.isSpaceChar(cp) && cp != ' ') {
                sb.append(' ');
            } else if (cp == 0x00AD || cp == 0x034F || cp == 0x1806 || (cp >= 0x180B && cp <= 0x180D)
                    || cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F)
                    || cp == 0xFEFF) {
                return; // RFC 3454 B.1: mapped to nothing
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return Normalizer.normalize(sb, Normalizer.Form.NFKC).getBytes(StandardCharsets.UTF_8);
    }

    /** PBKDF2-HMAC-SHA-256 with a 32-byte output (RFC 5802's Hi()). */
    static byte[] saltedPassword(byte[] password, byte[] salt, int iterations) {
        byte[] first = Arrays.copyOf(salt, salt.length + 4);
        first[salt.length + 3] = 1; // INT(1), big-endian
        Mac mac = mac(password);
        byte[] u = mac.doFinal(first);
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = mac.doFinal(u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        return result;
    }

    static byte[] hmac(byte[] key, byte[] data) {
        return mac(key).doFinal(data);
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
