package io.portflux.web.access;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * StreamTickets issues and checks short-lived, scan-bound tickets that stand in for the bearer
 * token on {@code GET /api/scans/{id}/events}, since a browser's {@code EventSource} cannot send
 * an {@code Authorization} header.
 *
 * <p>A ticket is {@code <scan id>.<expiry in epoch ms>.<HMAC-SHA256 of both>}. The key is random
 * per process: scans and their journals live in one process's memory, so a ticket has nothing to
 * open anywhere else, and a restart (which loses the scans) rightly voids every ticket.
 */
@Component
public class StreamTickets {

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;

    public StreamTickets(SecurityProperties properties, ObjectProvider<Clock> clock) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, ALGORITHM);
        this.ttl = properties.ticketTtl();
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    /** A ticket for the events of scan {@code scanId}, valid for the configured TTL from now. */
    public Ticket issue(String scanId) {
        Instant expires = clock.instant().plus(ttl);
        String payload = scanId + "." + expires.toEpochMilli();
        return new Ticket(payload + "." + ENCODER.encodeToString(sign(payload)), expires);
    }

    /** Whether {@code ticket} was issued here for scan {@code scanId} and has not expired. */
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
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
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
