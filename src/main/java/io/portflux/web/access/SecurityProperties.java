package io.portflux.web.access;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * SecurityProperties switch bearer-token authentication of the API on and tune its stream tickets
 * ({@code portflux.security.*}).
 *
 * @param tokens bearer tokens accepted on {@code /api/**}; more than one allows rotation; none
 *     turns authentication off. In Kubernetes they come from a Secret, never from the ConfigMap
 * @param protectMetrics whether the actuator endpoints other than health need a token too
 * @param ticketTtl how long a stream ticket for {@code GET /api/scans/{id}/events} stays valid
 */
@ConfigurationProperties("portflux.security")
public record SecurityProperties(List<String> tokens, boolean protectMetrics, Duration ticketTtl) {

    /** Shortest accepted token: a guessable token would make the whole check decorative. */
    public static final int MIN_TOKEN_LENGTH = 16;

    public SecurityProperties {
        // A comma-separated env var with a trailing comma, or an empty one, must not add "" as a token.
        tokens = tokens == null ? List.of() : tokens.stream().map(String::strip).filter(t -> !t.isEmpty()).toList();
        for (int i = 0; i < tokens.size(); i++) {
            // The message names the position only: a token must never reach a log, not even a bad one.
            if (tokens.get(i).length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException("portflux.security.tokens[" + i + "] is shorter than "
                        + MIN_TOKEN_LENGTH + " characters");
            }
        }
        if (ticketTtl == null || ticketTtl.isNegative() || ticketTtl.isZero()) {
            throw new IllegalArgumentException("portflux.security.ticket-ttl must be positive");
        }
    }

    /** Whether the API asks for a token at all. */
    public boolean authEnabled() {
        return !tokens.isEmpty();
    }

    @Override
    public String toString() {
        return "SecurityProperties[tokens=" + tokens.size() + " configured (masked), protectMetrics=" + protectMetrics
                + ", ticketTtl=" + ticketTtl + "]";
    }
}
