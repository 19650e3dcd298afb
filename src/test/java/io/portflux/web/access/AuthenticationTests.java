package io.portflux.web.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.ListenerPool;
import io.portflux.testing.MutableClock;
import io.portflux.testing.Problems;
import io.portflux.testing.SseClient;
import io.portflux.web.scans.ScanAudit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * AuthenticationTests run the application with two tokens (a rotation) and protected metrics,
 * and check who gets in where, the stream tickets, and that no token reaches the log.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "portflux.security.tokens=" + AuthenticationTests.OLD_TOKEN + "," + AuthenticationTests.NEW_TOKEN,
    "portflux.security.protect-metrics=true",
    "portflux.security.ticket-ttl=5m"})
@AutoConfigureWebTestClient(timeout = "60s")
@Import(AuthenticationTests.Clocks.class)
@ExtendWith(OutputCaptureExtension.class)
class AuthenticationTests {

    static final String OLD_TOKEN = "old-Tok3n-0f-at-least-16";
    static final String NEW_TOKEN = "new-Tok3n-0f-at-least-16";

    /** The test's hand-driven clock, used by the tickets (and the registry) instead of the system clock. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Clocks {
        @Bean
        MutableClock clock() {
            return new MutableClock(Instant.parse("2026-06-01T12:00:00Z"));
        }
    }

    @Autowired
    WebTestClient client;

    @Autowired
    MutableClock clock;

    private final ListenerPool listeners = new ListenerPool();

    @AfterEach
    void closeListeners() throws Exception {
        listeners.close();
    }

    private WebTestClient as(String token) {
        return client.mutate().defaultHeader("Authorization", "Bearer " + token).build();
    }

    private Map<?, ?> startScan(String token, String ports) {
        return as(token).post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":\"" + ports + "\"}")
                .exchange()
                .expectStatus().isAccepted()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    @Test
    void withoutATokenTheApiAnswers401ProblemWithABearerChallenge() {
        client.get().uri("/api/scans").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals("WWW-Authenticate", "Bearer realm=\"portflux\"")
                .expectBody()
                .jsonPath("$.status").isEqualTo(401)
                .jsonPath("$.title").isEqualTo("Unauthorized")
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains("Authorization: Bearer"));
        Problems.checked(client.get().uri("/api/scan?targets=127.0.0.1&ports=1").exchange(), 401, "/api/scan");
        client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"targets\":\"127.0.0.1\"}")
                .exchange().expectStatus().isUnauthorized();
    }

    @Test
    void aWrongTokenIs401WithInvalidToken() {
        as("not-" + OLD_TOKEN).get().uri("/api/scans").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().value("WWW-Authenticate", h -> assertThat(h).startsWith("Bearer").contains("invalid_token"));
    }

    @Test
    void eachOfTheTwoRotatedTokensGetsIn() {
        for (String token : List.of(OLD_TOKEN, NEW_TOKEN)) {
            as(token).get().uri("/api/scans").exchange().expectStatus().isOk();
        }
    }

    @Test
    void healthProbesThePageAndTheConfigAreOpen() {
        client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        client.get().uri("/").exchange().expectStatus().isOk()
                .expectBody(String.class).value(html -> assertThat(html).contains("PortFlux"));
        client.get().uri("/js/page.js").exchange().expectStatus().isOk();
        client.get().uri("/api/config").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.authRequired").isEqualTo(true).jsonPath("$.ticketTtlSeconds").isEqualTo(300);
    }

    @Test
    void protectedMetricsNeedAToken() {
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isUnauthorized();
        as(NEW_TOKEN).get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
    }

    @Test
    void aTicketOpensItsScansEventsAndResultsOnlyAndOnlyUntilItExpires() throws Exception {
        int open = listeners.open();
        Map<?, ?> a = startScan(OLD_TOKEN, Integer.toString(open));
        Map<?, ?> b = startScan(OLD_TOKEN, Integer.toString(open));
        String ticket = (String) a.get("ticket");
        assertThat(ticket).isNotBlank();
        String eventsLink = (String) ((Map<?, ?>) a.get("links")).get("events");
        assertThat(eventsLink).startsWith("/api/scans/" + a.get("id") + "/events?ticket=");

        // The events link works with no token at all, as EventSource uses it.
        var events = SseClient.all(client, eventsLink);
        assertThat(SseClient.names(events)).startsWith("started").endsWith("done");
        assertThat(SseClient.last(events)).containsEntry("status", "completed");
        // Resuming after an event id within the TTL works with the same ticket.
        var resumed = client.get().uri(eventsLink).header("Last-Event-ID", events.get(0).id())
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(SseClient.EVENT).getResponseBody().collectList().block(Duration.ofSeconds(30));
        assertThat(resumed).hasSize(events.size() - 1);

        // It opens the scan's results too, as a download link (once the last batch is stored: the export waits for it).
        client.get().uri("/api/scans/" + a.get("id") + "/results?format=csv&ticket={t}", ticket).exchange()
                .expectStatus().isOk().expectBody(String.class)
                .value(csv -> assertThat(csv).startsWith("scan_id,timestamp,host,ip,port,"));

        // Another scan's events and results, and every other endpoint, refuse it.
        client.get().uri("/api/scans/" + b.get("id") + "/events?ticket={t}", ticket).exchange().expectStatus().isUnauthorized();
        client.get().uri("/api/scans/" + b.get("id") + "/results?ticket={t}", ticket).exchange().expectStatus().isUnauthorized();
        client.get().uri("/api/scans/" + a.get("id") + "/diff?base=previous&ticket={t}", ticket).exchange()
                .expectStatus().isUnauthorized();
        client.get().uri("/api/scans/" + a.get("id") + "?ticket={t}", ticket).exchange().expectStatus().isUnauthorized();
        client.get().uri("/api/scans?ticket={t}", ticket).exchange().expectStatus().isUnauthorized();
        client.delete().uri("/api/scans/" + a.get("id") + "?ticket={t}", ticket).exchange().expectStatus().isUnauthorized();
        client.post().uri("/api/scans/" + a.get("id") + "/tickets?ticket={t}", ticket).exchange().expectStatus().isUnauthorized();

        // Past its TTL it is refused, and a fresh one (for a token holder) works again.
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        client.get().uri(eventsLink).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().value("WWW-Authenticate", h -> assertThat(h).contains("invalid_token"));
        Map<?, ?> fresh = as(NEW_TOKEN).post().uri("/api/scans/" + a.get("id") + "/tickets").exchange()
                .expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertThat(fresh.get("ticket")).isNotEqualTo(ticket);
        assertThat(SseClient.names(SseClient.all(client, (String) fresh.get("events")))).endsWith("done");
        as(NEW_TOKEN).post().uri("/api/scans/no-such-scan/tickets").exchange().expectStatus().isNotFound();
    }

    @Test
    void noTokenReachesTheLogAndTheAuditNamesTheClientById(CapturedOutput output) throws Exception {
        int open = listeners.open();
        String body = as(NEW_TOKEN).get().uri("/api/scan?targets=127.0.0.1&ports=" + open)
                .accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(body).contains("event:done");
        Map<?, ?> started = startScan(OLD_TOKEN, Integer.toString(open));
        SseClient.all(client, (String) ((Map<?, ?>) started.get("links")).get("events"));
        as(OLD_TOKEN).get().uri("/api/scans/" + started.get("id")).exchange().expectStatus().isOk();
        as("wrong-" + NEW_TOKEN).get().uri("/api/scans").exchange().expectStatus().isUnauthorized();

        String scanId = (String) started.get("id");
        io.portflux.testing.Await.until(() -> output.getAll().contains("\"scanId\":\"" + scanId + "\""), "audit line of " + scanId);
        assertThat(output.getAll()).doesNotContain(OLD_TOKEN).doesNotContain(NEW_TOKEN).doesNotContain("Tok3n");
        List<String> audit = output.getAll().lines().filter(l -> l.contains(ScanAudit.LOGGER) && l.contains(scanId)).toList();
        assertThat(audit).singleElement().satisfies(line -> assertThat(line)
                .contains("\"client\":\"token:")
                .contains("\"kind\":\"background\"")
                .contains("\"targets\":\"127.0.0.1\"")
                .contains("\"resolved\":[{\"spec\":\"127.0.0.1\",\"ip\":")
                .contains("\"portCount\":1,\"total\":1")
                .contains("\"status\":\"completed\"")
                .contains("\"scanned\":1,\"open\":1,\"closed\":0,\"filtered\":0,\"errors\":0")
                .containsPattern("\"durationMs\":\\d+"));
        // The two tokens are two clients; the streamed scan is audited as well, under the other id.
        assertThat(output.getAll().lines().filter(l -> l.contains(ScanAudit.LOGGER) && l.contains("\"kind\":\"stream\"")
                && l.contains("\"ports\":\"" + open + "\"")).toList())
                .singleElement().satisfies(line -> assertThat(line).doesNotContain(audit.get(0).replaceAll(".*\"client\":\"([^\"]+)\".*", "$1")));
    }

    @Test
    void theClockBeanIsTheOneTheTicketsUse(@Autowired Clock used) {
        // Guards the expiry test above: it only means something if the tickets read this clock.
        assertThat(used).isSameAs(clock);
    }
}
