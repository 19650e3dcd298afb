package io.portflux.schedule;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Delivery is one webhook alert: the body as it is sent on every attempt, and where its attempts stand.
 *
 * @param id stable across its retries ({@code X-PortFlux-Delivery}), so that a receiver can drop duplicates
 * @param status {@code pending}, {@code delivered} or {@code failed} (out of attempts)
 * @param nextAttempt when the next attempt is due (an attempt in flight has moved it past its own timeout)
 */
public record Delivery(String id, String scheduleId, String scanId, String url, String body, String status,
        int attempts, Instant nextAttempt, @Nullable String lastError, Instant createdAt,
        @Nullable Instant deliveredAt) {

    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";
}
