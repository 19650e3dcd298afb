package io.portflux.web.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecurityPropertiesTests {

    private static final String TOKEN = "s3cret-token-0123456789";

    @Test
    void toStringMasksTheTokens() {
        SecurityProperties p = new SecurityProperties(List.of(TOKEN, TOKEN + "-next"), true, Duration.ofMinutes(5));
        assertThat(p.toString()).doesNotContain(TOKEN).doesNotContain("s3cret").contains("2 configured");
        assertThat(p.authEnabled()).isTrue();
    }

    @Test
    void blankEntriesFromACommaListAreDropped() {
        SecurityProperties p = new SecurityProperties(List.of(" ", TOKEN, ""), false, Duration.ofMinutes(5));
        assertThat(p.tokens()).containsExactly(TOKEN);
        assertThat(new SecurityProperties(null, false, Duration.ofMinutes(5)).authEnabled()).isFalse();
    }

    @Test
    void aShortTokenIsRefusedWithoutBeingNamed() {
        assertThatThrownBy(() -> new SecurityProperties(List.of(TOKEN, "short-secret"), false, Duration.ofMinutes(5)))
                .hasMessageContaining("tokens[1]")
                .hasMessageNotContaining("short-secret");
    }

    @Test
    void theTicketLifetimeMustBePositive() {
        assertThatThrownBy(() -> new SecurityProperties(List.of(), false, Duration.ZERO))
                .hasMessageContaining("ticket-ttl");
    }
}
