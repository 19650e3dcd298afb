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

    private static StreamTickets tickets(Clock clock) {
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("clock", clock);
        return new StreamTickets(new SecurityProperties(List.of(), false, TTL), beans.getBeanProvider(Clock.class));
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
        // Another process (another key) issued it.
        assertThat(tickets.valid(tickets(clock).issue("scanA").value(), "scanA")).isFalse();
        for (String junk : new String[] {"", ".", "..", "scanA", "scanA..", "scanA.1.!!", "scanA.x.AAAA", null}) {
            assertThat(tickets.valid(junk, "scanA")).as("'%s'", junk).isFalse();
        }
    }
}
