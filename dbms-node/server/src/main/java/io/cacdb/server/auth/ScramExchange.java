package io.cacdb.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * The server side of one SCRAM-SHA-256 exchange, as PostgreSQL runs it: the client's first message
 * (SASLInitialResponse) gets the server-first message (AuthenticationSASLContinue), the client's final message
 * (SASLResponse) is checked and answered with the server signature (AuthenticationSASLFinal). Channel binding is not
 * offered: a client that demands it ({@code p=}) is refused; {@code n} and {@code y} are accepted. The user name inside
 * the SCRAM message is ignored, as in PostgreSQL; the StartupMessage's user is the one authenticated.
 *
 * <p>For a user without a verifier the exchange runs to the end against a mock verifier (salt derived from the user
 * name, so repeated attempts see the same salt) and fails exactly as a wrong password does, so a client cannot learn
 * whether a user exists. Not thread-safe; one per connection attempt.
 */
public final class ScramExchange {

    public static final String MECHANISM = "SCRAM-SHA-256";
    /** Random bytes of the server's nonce part: PostgreSQL's SCRAM_RAW_NONCE_LEN. */
    static final int SERVER_NONCE_BYTES = 18;

    private enum Step { AWAIT_CLIENT_FIRST, AWAIT_CLIENT_FINAL, DONE }

    private final String user;
    private final ScramVerifier verifier;
    private final boolean userKnown;
    private final Supplier<String> serverNonce;
    private Step step = Step.AWAIT_CLIENT_FIRST;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;

    ScramExchange(String user, ScramVerifier verifier, boolean userKnown, SecureRandom random) {
        this(user, verifier, userKnown, () -> {
            byte[] raw = new byte[SERVER_NONCE_BYTES];
            random.nextBytes(raw);
            return Base64.getEncoder().encodeToString(raw);
        });
    }

    /** With a given source of server nonces: the RFC 7677 test vector needs its own. */
    ScramExchange(String user, ScramVerifier verifier, boolean userKnown, Supplier<String> serverNonce) {
        this.user = user;
        this.verifier = verifier;
        this.userKnown = userKnown;
        this.serverNonce = serverNonce;
    }

    /** Handles SASLInitialResponse: returns the server-first message to send in AuthenticationSASLContinue. */
    public byte[] serverFirst(String mechanism, byte[] clientFirstBytes) throws AuthenticationException {
        if (step != Step.AWAIT_CLIENT_FIRST) {
            throw AuthenticationException.malformed("unexpected SASLInitialResponse");
        }
        if (!MECHANISM.equals(mechanism)) {
            throw new AuthenticationException(io.cacdb.server.session.SqlState.PROTOCOL_VIOLATION,
                    "client selected an invalid SASL authentication mechanism");
        }
        String clientFirst = new String(clientFirstBytes, StandardCharsets.UTF_8);
        // gs2-header: cbind-flag "," [authzid] ","
        int firstComma = clientFirst.indexOf(',');
        int secondComma = firstComma < 0 ? -1 : clientFirst.indexOf(',', firstComma + 1);
        if (secondComma < 0) {
            throw AuthenticationException.malformed("no GS2 header");
        }
        String cbindFlag = clientFirst.substring(0, firstComma);
        if (cbindFlag.startsWith("p=")) {
            throw AuthenticationException.malformed("channel binding was requested but is not offered");
        }
        if (!cbindFlag.equals("n") && !cbindFlag.equals("y")) {
            throw AuthenticationException.malformed("unexpected channel-binding flag \"" + cbindFlag + "\"");
        }
        if (secondComma != firstComma + 1) {
            throw AuthenticationException.malformed("an authorization identity is not supported");
        }
        gs2Header = clientFirst.substring(0, secondComma + 1);
        clientFirstBare = clientFirst.substring(secondComma + 1);
        String[] attrs = clientFirstBare.split(",", -1);
        if (attrs.length < 2 || !attrs[0].startsWith("n=") || !attrs[1].startsWith("r=")) {
            throw AuthenticationException.malformed("client-first-message needs n= then r=");
        }
        if (clientFirstBare.startsWith("m=")) {
            throw AuthenticationException.malformed("mandatory extensions are not supported");
        }
        String clientNonce = attrs[1].substring(2);
        if (clientNonce.isEmpty() || !printable(clientNonce)) {
            throw AuthenticationException.malformed("invalid client nonce");
        }
        nonce = clientNonce + serverNonce.get();
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(verifier.salt()) + ",i="
                + verifier.iterations();
        step = Step.AWAIT_CLIENT_FINAL;
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Handles SASLResponse: checks the client's proof and returns the server-final message to send in
     * AuthenticationSASLFinal.
     *
     * @throws AuthenticationException wrong password, unknown user (same message), or a malformed message
     */
    public byte[] serverFinal(byte[] clientFinalBytes) throws AuthenticationException {
        if (step != Step.AWAIT_CLIENT_FINAL) {
            throw AuthenticationException.malformed("unexpected SASLResponse");
        }
        step = Step.DONE;
        String clientFinal = new String(clientFinalBytes, StandardCharsets.UTF_8);
        int proofAt = clientFinal.lastIndexOf(",p=");
        if (proofAt < 0) {
            throw AuthenticationException.malformed("no proof");
        }
        String withoutProof = clientFinal.substring(0, proofAt);
        String[] attrs = withoutProof.split(",", -1);
        if (attrs.length < 2 || !attrs[0].startsWith("c=") || !attrs[1].startsWith("r=")) {
            throw AuthenticationException.malformed("client-final-message needs c= then r=");
        }
        byte[] channelBinding;
        byte[] proof;
        try {
            channelBinding = Base64.getDecoder().decode(attrs[0].substring(2));
            proof = Base64.getDecoder().decode(clientFinal.substring(proofAt + 3));
        } catch (IllegalArgumentException e) {
            throw AuthenticationException.malformed("invalid Base64");
        }
        if (!MessageDigest.isEqual(channelBinding, gs2Header.getBytes(StandardCharsets.UTF_8))) {
            throw AuthenticationException.malformed("channel binding data does not match the GS2 header");
        }
        if (!attrs[1].substring(2).equals(nonce)) {
            throw AuthenticationException.malformed("nonce does not match");
        }
        if (proof.length != ScramVerifier.KEY_BYTES) {
            throw AuthenticationException.malformed("proof has the wrong length");
        }
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);
        byte[] storedKey = verifier.storedKey();
        byte[] clientSignature = ScramVerifier.hmac(storedKey, authMessage);
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        boolean proofOk = MessageDigest.isEqual(ScramVerifier.sha256(clientKey), storedKey);
        if (!proofOk || !userKnown) {
            throw AuthenticationException.passwordFailed(user);
        }
        byte[] serverSignature = ScramVerifier.hmac(verifier.serverKey(), authMessage);
        return ("v=" + Base64.getEncoder().encodeToString(serverSignature)).getBytes(StandardCharsets.UTF_8);
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7E || c == ',') {
                return false;
            }
        }
        return true;
    }
}
