package io.portflux.web.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

/** AccessFilterTests run the filter alone over path and ticket cases that need no server. */
class AccessFilterTests {

    private static final String TOKEN = "unit-token-0123456789";

    private static AccessFilter filter(List<String> tokens, boolean protectMetrics, StreamTickets[] tickets) {
        SecurityProperties p = new SecurityProperties(tokens, protectMetrics, Duration.ofMinutes(5));
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("clock", Clock.systemUTC());
        tickets[0] = new StreamTickets(p, beans.getBeanProvider(Clock.class));
        return new AccessFilter(new ApiTokens(p), tickets[0], p);
    }

    /** Whether the request reached the chain, i.e. was let through. */
    private static boolean passes(AccessFilter filter, MockServerHttpRequest request) {
        AtomicBoolean passed = new AtomicBoolean();
        MockServerWebExchange exchange = MockServerWebExchange.from(request);
        filter.filter(exchange, e -> Mono.fromRunnable(() -> passed.set(true))).block(Duration.ofSeconds(5));
        if (!passed.get()) {
            assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
            assertThat(exchange.getResponse().getHeaders().getFirst("WWW-Authenticate")).startsWith("Bearer");
        }
        return passed.get();
    }

    @Test
    void withoutTokensEverythingPasses() {
        AccessFilter open = filter(List.of(), true, new StreamTickets[1]);
        assertThat(passes(open, MockServerHttpRequest.get("/api/scans").build())).isTrue();
        assertThat(passes(open, MockServerHttpRequest.get("/actuator/prometheus").build())).isTrue();
    }

    @Test
    void metricsAreOpenUnlessProtected() {
        AccessFilter open = filter(List.of(TOKEN), false, new StreamTickets[1]);
        assertThat(passes(open, MockServerHttpRequest.get("/actuator/prometheus").build())).isTrue();
        AccessFilter closed = filter(List.of(TOKEN), true, new StreamTickets[1]);
        assertThat(passes(closed, MockServerHttpRequest.get("/actuator/prometheus").build())).isFalse();
        assertThat(passes(closed, MockServerHttpRequest.get("/actuator/info").build())).isFalse();
        assertThat(passes(closed, MockServerHttpRequest.get("/actuator/health/readiness").build())).isTrue();
        assertThat(passes(closed, MockServerHttpRequest.get("/actuator/prometheus").header("Authorization", "Bearer " + TOKEN).build())).isTrue();
    }

    @Test
    void oddSpellingsOfPathsAreNotOpen() {
        AccessFilter filter = filter(List.of(TOKEN), false, new StreamTickets[1]);
        for (String path : new String[] {"/js/../api/scans", "//api/scans", "/api/config/", "/API/scans", "/actuator/health/../../api/scans",
                "/css/%2e%2e/api/scans", "/api/scans;x=1", "/anything-else"}) {
            assertThat(passes(filter, MockServerHttpRequest.get(path).build())).as(path).isFalse();
        }
        for (String path : new String[] {"/", "/index.html", "/favicon.svg", "/css/page.css", "/js/page.js", "/api/config"}) {
            assertThat(passes(filter, MockServerHttpRequest.get(path).build())).as(path).isTrue();
        }
    }

    @Test
    void theBearerSchemeIsCaseInsensitiveButTheTokenIsNot() {
        AccessFilter filter = filter(List.of(TOKEN), false, new StreamTickets[1]);
        assertThat(passes(filter, MockServerHttpRequest.get("/api/scans").header("Authorization", "bearer " + TOKEN).build())).isTrue();
        assertThat(passes(filter, MockServerHttpRequest.get("/api/scans").header("Authorization", "Bearer " + TOKEN.toUpperCase()).build())).isFalse();
        assertThat(passes(filter, MockServerHttpRequest.get("/api/scans").header("Authorization", "Basic " + TOKEN).build())).isFalse();
        assertThat(passes(filter, MockServerHttpRequest.get("/api/scans").header("Authorization", TOKEN).build())).isFalse();
    }

    @Test
    void aTicketOpensOnlyAGetOfItsScansEvents() {
        StreamTickets[] tickets = new StreamTickets[1];
        AccessFilter filter = filter(List.of(TOKEN), false, tickets);
        String ticket = tickets[0].issue("scanA").value();
        assertThat(passes(filter, MockServerHttpRequest.get("/api/scans/scanA/events?ticket={t}", ticket).build())).isTrue();
        assertThat(passes(filter, MockServerHttpRequest.get("/api/scans/scanB/events?ticket={t}", ticket).build())).isFalse();
        assertThat(passes(filter, MockServerHttpRequest.get("/api/scans/scanA?ticket={t}", ticket).build())).isFalse();
        assertThat(passes(filter, MockServerHttpRequest.delete("/api/scans/scanA?ticket={t}", ticket).build())).isFalse();
        assertThat(passes(filter, MockServerHttpRequest.post("/api/scans/scanA/tickets?ticket={t}", ticket).build())).isFalse();
        assertThat(passes(filter, MockServerHttpRequest.get("/api/scan?targets=127.0.0.1&ticket={t}", ticket).build())).isFalse();
        // A ticket is not a bearer token either.
        assertThat(passes(filter, MockServerHttpRequest.get("/api/scans").header("Authorization", "Bearer " + ticket).build())).isFalse();
    }
}
