package io.portflux.web.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * ApiTokens checks bearer tokens against the configured ones in constant time and names the
 * client behind a token without revealing it.
 *
 * <p>Only SHA-256 digests are kept. Comparing digests of equal length with
 * {@link MessageDigest#isEqual} and visiting every configured token, match or not, keeps the time
 * taken independent of how much of a guess was right and of which token matched.
 */
@Component
public class ApiTokens {

    /** Hex digits of the digest that name a token's client: enough to tell tokens apart, too few to matter. */
    static final int CLIENT_ID_HEX = 12;

    private final List<byte[]> digests;
    private final List<String> clientIds;

    public ApiTokens(SecurityProperties properties) {
        this.digests = properties.tokens().stream().map(ApiTokens::sha256).toList();
        this.clientIds = digests.stream()
                .map(d -> "token:" + HexFormat.of().formatHex(d).substring(0, CLIENT_ID_HEX))
                .toList();
    }

    /** Whether any token is configured, i.e. whether the API asks for one. */
    public boolean required() {
        return !digests.isEmpty();
    }

    /** The client id of {@code token} when it is one of the configured tokens. */
    public Optional<String> clientOf(String token) {
        if (token == null) {
            return Optional.empty();
        }
        byte[] given = sha256(token);
        int match = -1;
        for (int i = 0; i < digests.size(); i++) {
            // No early exit: every configured token is compared, whichever one matches.
            boolean equal = MessageDigest.isEqual(given, digests.get(i));
            match = equal && match < 0 ? i : match;
        }
        return match < 0 ? Optional.empty() : Optional.of(clientIds.get(match));
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
