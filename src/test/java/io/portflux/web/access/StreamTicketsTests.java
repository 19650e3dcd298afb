package io.portflux.web.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

class StreamTicketsTests {

    private static final Duration TTL = Duration.ofMinutes(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final StreamTickets tickets = tickets(clock);

    private static final String TOKEN = "first-token-of-the-deployment";
    private static final String SECOND = "second-token-for-its-rotation";

    private static StreamTickets tickets(Clock clock) {
        return tickets(clock, List.of());
    }

    private static StreamTickets tickets(Clock clock, List<String> tokens) {
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("clock", clock);
        return new StreamTickets(new SecurityProperties(tokens, false, TTL), beans.getBeanProvider(Clock.class));
    }

    @Test
    void aTicketOpensItsOwnScanUntilItExpires() {
        StreamTickets.Ticket ticket = tickets.issue("scanA");
        assertThat(ticket.expiresAt()).isEqualTo(clock.instant().plus(TTL));
        assertThat(tickets.valid(ticket.value(), "scanA")).isTrue();
        clock.advance(TTL.minusMillis(1));
        assertThat(tickets.valid(ticket.value(), "scanA")).as("just before expiry").isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(tickets.valid(ticket.value(), "scanA")).as("at expiry").isFalse();
    }

    @Test
    void aTicketDoesNotOpenAnotherScan() {
        String ticket = tickets.issue("scanA").value();
        assertThat(tickets.valid(ticket, "scanB")).isFalse();
        assertThat(tickets.valid(ticket, "scanA")).isTrue();
    }

    @Test
    void aForgedOrForeignTicketIsRefused() {
        String ticket = tickets.issue("scanA").value();
        String[] parts = ticket.split("\\.");
        // A later expiry or another scan id under the old signature.
        long later = Long.parseLong(parts[1]) + Duration.ofDays(1).toMillis();
        assertThat(tickets.valid(parts[0] + "." + later + "." + parts[2], "scanA")).isFalse();
        assertThat(tickets.valid("scanB." + parts[1] + "." + parts[2], "scanB")).isFalse();
        // Another process without tokens (a random key of its own) issued it.
        assertThat(tickets.valid(tickets(clock).issue("scanA").value(), "scanA")).isFalse();
        for (String junk : new String[] {"", ".", "..", "scanA", "scanA..", "scanA.1.!!", "scanA.x.AAAA", null}) {
            assertThat(tickets.valid(junk, "scanA")).as("'%s'", junk).isFalse();
        }
    }

    @Test
    void replicasSharingTheTokensShareTheTickets() {
        // Another replica, or this one after a restart: the same tokens, in any order, give the same key.
        StreamTickets here = tickets(clock, List.of(TOKEN, SECOND));
        String ticket = here.issue("scanA").value();
        assertThat(tickets(clock, List.of(SECOND, TOKEN)).valid(ticket, "scanA")).isTrue();
        assertThat(tickets(clock, List.of(TOKEN, SECOND)).valid(ticket, "scanB")).isFalse();
        // Other tokens, or a token fewer after a rotation: the tickets issued before are void.
        assertThat(tickets(clock, List.of(TOKEN)).valid(ticket, "scanA")).isFalse();
        assertThat(tickets(clock, List.of(TOKEN, SECOND + "x")).valid(ticket, "scanA")).isFalse();
        // The tokens are length-prefixed, so two lists that run together to the same characters differ.
        assertThat(StreamTickets.keyOf(List.of("ab", "c"))).isNotEqualTo(StreamTickets.keyOf(List.of("a", "bc")));
        // No tokens: no authentication, and a random key per process.
        assertThat(StreamTickets.keyOf(List.of())).isNotEqualTo(StreamTickets.keyOf(List.of()));
    }
}
