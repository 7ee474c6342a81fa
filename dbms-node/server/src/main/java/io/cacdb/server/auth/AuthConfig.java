package io.cacdb.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Who may connect and how: users with a SCRAM verifier authenticate with SCRAM-SHA-256; every other user gets {@link
 * #otherUsers()}, which is {@link AuthMethod#TRUST} (anyone, for local defaults and tests) or {@link
 * AuthMethod#SCRAM_SHA_256} (refused after a full mock exchange, indistinguishable from a wrong password).
 */
public final class AuthConfig {

    private final Map<String, ScramVerifier> users;
    private final AuthMethod otherUsers;
    /** Secret behind the mock salts of unknown users; random per server start, like PostgreSQL's mock nonce. */
    private final byte[] mockSecret;
    private final SecureRandom random;

    private AuthConfig(Map<String, ScramVerifier> users, AuthMethod otherUsers, SecureRandom random) {
        this.users = Map.copyOf(users);
        this.otherUsers = Objects.requireNonNull(otherUsers, "otherUsers");
        this.random = random;
        this.mockSecret = new byte[ScramVerifier.KEY_BYTES];
        random.nextBytes(mockSecret);
    }

    /** Everyone is trusted (the default of a local node). */
    public static AuthConfig trust() {
        return new AuthConfig(Map.of(), AuthMethod.TRUST, new SecureRandom());
    }

    /** These users with their stored verifiers; everyone else as {@code otherUsers} says. */
    public static AuthConfig withVerifiers(Map<String, ScramVerifier> users, AuthMethod otherUsers) {
        return new AuthConfig(users, otherUsers, new SecureRandom());
    }

    /**
     * These users with plain passwords, hashed here at start-up with a fresh salt and {@code iterations}; the
     * passwords are not kept.
     */
    public static AuthConfig withPasswords(Map<String, String> passwords, AuthMethod otherUsers, int iterations) {
        SecureRandom random = new SecureRandom();
        Map<String, ScramVerifier> users = new LinkedHashMap<>();
        passwords.forEach((user, password) -> {
            byte[] salt = new byte[ScramVerifier.SALT_BYTES];
            random.nextBytes(salt);
            users.put(user, ScramVerifier.fromPassword(password, salt, iterations));
        });
        return new AuthConfig(users, otherUsers, random);
    }

    public AuthMethod otherUsers() {
        return otherUsers;
    }

    /** The method the named user must pass. */
    public AuthMethod methodFor(String user) {
        return users.containsKey(user) ? AuthMethod.SCRAM_SHA_256 : otherUsers;
    }

    /** A SCRAM exchange for {@code user}: against their verifier, or a mock one that always fails. */
    public ScramExchange newScramExchange(String user) {
        ScramVerifier verifier = users.get(user);
        if (verifier != null) {
            return new ScramExchange(user, verifier, true, random);
        }
        byte[] derived = ScramVerifier.hmac(mockSecret, user.getBytes(StandardCharsets.UTF_8));
        byte[] salt = java.util.Arrays.copyOf(derived, ScramVerifier.SALT_BYTES);
        byte[] key = ScramVerifier.sha256(derived);
        return new ScramExchange(user, new ScramVerifier(salt, ScramVerifier.DEFAULT_ITERATIONS, key, key), false,
                random);
    }
}
