package io.portflux.web.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiTokensTests {

    private static final String OLD = "old-token-0123456789abcdef";
    private static final String NEW = "new-token-0123456789abcdef";

    private final ApiTokens tokens = new ApiTokens(new SecurityProperties(List.of(OLD, NEW), false, Duration.ofMinutes(5)));

    @Test
    void bothRotatedTokensAreAcceptedAsDifferentClients() {
        String old = tokens.clientOf(OLD).orElseThrow();
        String fresh = tokens.clientOf(NEW).orElseThrow();
        assertThat(old).isNotEqualTo(fresh).startsWith("token:").hasSize("token:".length() + ApiTokens.CLIENT_ID_HEX);
        assertThat(old).doesNotContain(OLD).doesNotContain("old-token");
        assertThat(tokens.required()).isTrue();
    }

    @Test
    void wrongPrefixedAndEmptyTokensAreRefused() {
        assertThat(tokens.clientOf("wrong-token-0123456789abcdef")).isEmpty();
        assertThat(tokens.clientOf(OLD.substring(0, OLD.length() - 1))).isEmpty();
        assertThat(tokens.clientOf(OLD + "x")).isEmpty();
        assertThat(tokens.clientOf("")).isEmpty();
        assertThat(tokens.clientOf(null)).isEmpty();
    }

    @Test
    void noTokensMeansNoneRequired() {
        ApiTokens none = new ApiTokens(new SecurityProperties(null, false, Duration.ofMinutes(5)));
        assertThat(none.required()).isFalse();
        assertThat(none.clientOf(OLD)).isEmpty();
    }
}
