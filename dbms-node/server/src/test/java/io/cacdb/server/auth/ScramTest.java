package io.cacdb.server.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SCRAM-SHA-256 against RFC 7677's test vector and a verifier made by PostgreSQL 15. */
class ScramTest {

    /** RFC 7677 section 3: user "user", password "pencil". */
    private static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static ScramVerifier rfcVerifier() {
        return ScramVerifier.fromPassword("pencil", Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
    }

    @Test
    void rfc7677TestVector() throws AuthenticationException {
        ScramExchange x = new ScramExchange("user", rfcVerifier(), true, () -> SERVER_NONCE);
        assertEquals(SERVER_FIRST, utf8(x.serverFirst("SCRAM-SHA-256", bytes(CLIENT_FIRST))));
        assertEquals(SERVER_FINAL, utf8(x.serverFinal(bytes(CLIENT_FINAL))));
    }

    @Test
    void wrongProofFailsWith28P01() throws AuthenticationException {
        ScramExchange x = new ScramExchange("user", rfcVerifier(), true, () -> SERVER_NONCE);
        x.serverFirst("SCRAM-SHA-256", bytes(CLIENT_FIRST));
        String badProof = CLIENT_FINAL.replace("p=dHzb", "p=dHzc");
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> x.serverFinal(bytes(badProof)));
        assertEquals("28P01", e.sqlState().code());
        assertEquals("password authentication failed for user \"user\"", e.getMessage());
    }

    @Test
    void unknownUserFailsExactlyLikeAWrongPassword() throws AuthenticationException {
        AuthConfig config = AuthConfig.withVerifiers(Map.of("user", rfcVerifier()), AuthMethod.SCRAM_SHA_256);
        assertEquals(AuthMethod.SCRAM_SHA_256, config.methodFor("nobody"));
        ScramExchange x = config.newScramExchange("nobody");
        String first = utf8(x.serverFirst("SCRAM-SHA-256", bytes("n,,n=,r=abc")));
        // same salt for the same unknown user, as a real one would have
        String again = utf8(config.newScramExchange("nobody").serverFirst("SCRAM-SHA-256", bytes("n,,n=,r=abc")));
        assertEquals(first.split(",")[1], again.split(",")[1]);
        String nonce = first.split(",")[0].substring(2);
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> x.serverFinal(
                bytes("c=biws,r=" + nonce + ",p=" + Base64.getEncoder().encodeToString(new byte[32]))));
        assertEquals("28P01", e.sqlState().code());
        assertEquals("password authentication failed for user \"nobody\"", e.getMessage());
    }

    @Test
    void malformedMessagesAreProtocolViolations() throws AuthenticationException {
        assertEquals("08P01", assertThrows(AuthenticationException.class, () -> new ScramExchange("u", rfcVerifier(),
                true, () -> "x").serverFirst("SCRAM-SHA-256-PLUS", bytes(CLIENT_FIRST))).sqlState().code());
        assertEquals("08P01", assertThrows(AuthenticationException.class, () -> new ScramExchange("u", rfcVerifier(),
                true, () -> "x").serverFirst("SCRAM-SHA-256", bytes("p=tls-server-end-point,,n=,r=a"))).sqlState()
                .code());
        assertEquals("08P01", assertThrows(AuthenticationException.class, () -> new ScramExchange("u", rfcVerifier(),
                true, () -> "x").serverFirst("SCRAM-SHA-256", bytes("garbage"))).sqlState().code());
        ScramExchange x = new ScramExchange("user", rfcVerifier(), true, () -> SERVER_NONCE);
        x.serverFirst("SCRAM-SHA-256", bytes(CLIENT_FIRST));
        assertEquals("08P01", assertThrows(AuthenticationException.class, () -> x.serverFinal(
                bytes(CLIENT_FINAL.replace("r=rOpr", "r=XOpr")))).sqlState().code());
    }

    @Test
    void verifierMatchesOneMadeByPostgres() {
        // PostgreSQL 15: SET password_encryption = 'scram-sha-256'; CREATE ROLE pencil PASSWORD 'pencil';
        String stored = "SCRAM-SHA-256$4096:1MziI9I7h0JWMZCTUyloeg==$oPCDQEhgrzOADMai9zXKGucdy8vOdJw1Y/62VnZQhzc="
                + ":894IanvsAV8qpvj9lBdVnYR8m4/fTPFmHTJqj4eB7wI=";
        ScramVerifier fromPg = ScramVerifier.parse(stored);
        ScramVerifier ours = ScramVerifier.fromPassword("pencil", fromPg.salt(), fromPg.iterations());
        assertEquals(fromPg, ours);
        assertEquals(stored, ours.toString());
        assertArrayEquals(fromPg.storedKey(), ours.storedKey());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
