package io.portflux.web.access;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * StreamTickets issues and checks short-lived, scan-bound tickets that stand in for the bearer
 * token on {@code GET /api/scans/{id}/events}, since a browser's {@code EventSource} cannot send
 * an {@code Authorization} header.
 *
 * <p>A ticket is {@code <scan id>.<expiry in epoch ms>.<HMAC-SHA256 of both>}. Its key is derived
 * from the configured bearer tokens (HKDF's extract step: HMAC-SHA256 under a fixed label, over the
 * tokens in sorted order), so every replica that shares them issues and accepts the same tickets: a
 * Service without session affinity may send the page's {@code POST} to one pod and its
 * {@code EventSource} to another, and the scans live in the shared store, so a ticket also outlives
 * a restart until it expires. Changing the tokens voids the tickets issued before. With no tokens
 * there is no authentication and no ticket, and the key is random.
 */
@Component
public class StreamTickets {

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    /** The fixed label the ticket key is derived under; a new version voids every ticket issued before. */
    private static final byte[] LABEL = "portflux stream tickets v1".getBytes(StandardCharsets.UTF_8);

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;

    public StreamTickets(SecurityProperties properties, ObjectProvider<Clock> clock) {
        this.key = new SecretKeySpec(keyOf(properties.tokens()), ALGORITHM);
        this.ttl = properties.ticketTtl();
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    /** A ticket for the events of scan {@code scanId}, valid for the configured TTL from now. */
    public Ticket issue(String scanId) {
        Instant expires = clock.instant().plus(ttl);
        String payload = scanId + "." + expires.toEpochMilli();
        return new Ticket(payload + "." + ENCODER.encodeToString(sign(payload)), expires);
    }

    /** Whether {@code ticket} was issued for scan {@code scanId} under these tokens and has not expired. */
    public boolean valid(String ticket, String scanId) {
        if (ticket == null || scanId == null) {
            return false;
        }
        int lastDot = ticket.lastIndexOf('.');
        int firstDot = ticket.indexOf('.');
        if (firstDot <= 0 || lastDot == firstDot) {
            return false;
        }
        String payload = ticket.substring(0, lastDot);
        byte[] given;
        try {
            given = DECODER.decode(ticket.substring(lastDot + 1));
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (!MessageDigest.isEqual(given, sign(payload))) {
            return false;
        }
        // The signature holds, so the payload is ours: a scan id and a number we wrote.
        String forScan = payload.substring(0, firstDot);
        long expiresAt = Long.parseLong(payload.substring(firstDot + 1));
        return forScan.equals(scanId) && clock.millis() < expiresAt;
    }

    private byte[] sign(String payload) {
        return mac(key).doFinal(payload.getBytes(StandardCharsets.UTF_8));
    }

    /** The same key for the same tokens in any order; each token is length-prefixed, so no two lists run together. */
    static byte[] keyOf(List<String> tokens) {
        if (tokens.isEmpty()) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            return secret;
        }
        Mac mac = mac(new SecretKeySpec(LABEL, ALGORITHM));
        for (String token : tokens.stream().sorted().toList()) {
            byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
            mac.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
            mac.update(bytes);
        }
        return mac.doFinal();
    }

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has " + ALGORITHM, e);
        }
    }

    /** One issued ticket and the moment it stops opening the stream. */
    public record Ticket(String value, Instant expiresAt) {
        public Ticket {
            java.util.Objects.requireNonNull(value, "value");
            java.util.Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }
}
