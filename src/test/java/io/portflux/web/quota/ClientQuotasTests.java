package io.portflux.web.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.Await;
import io.portflux.testing.ListenerPool;
import io.portflux.testing.Problems;
import io.portflux.testing.SseClient;
import io.portflux.web.access.ApiTokens;
import io.portflux.web.scans.BackgroundScan;
import io.portflux.web.scans.ScanRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;

/**
 * ClientQuotasTests hold clients to their quotas through the API. Each test runs as its own
 * token, i.e. its own client, so the quotas one test uses up do not reach the next.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "portflux.security.tokens=quota-token-aaaaaaaaaa,quota-token-bbbbbbbbbb,quota-token-cccccccccc,quota-token-dddddddddd,quota-token-eeeeeeeeee,quota-token-ffffffffff",
    "portflux.quotas.max-concurrent-scans-per-client=2",
    "portflux.quotas.scans-per-minute=3",
    "portflux.quotas.max-probes-per-scan=10",
    "portflux.quotas.max-scan-duration=1h",
    "portflux.scans.max-running=8"})
@AutoConfigureWebTestClient(timeout = "60s")
class ClientQuotasTests {

    @Autowired
    WebTestClient client;

    @Autowired
    ScanRegistry registry;

    @Autowired
    ClientQuotas quotas;

    @Autowired
    ApiTokens tokens;

    private final ListenerPool listeners = new ListenerPool();
    private final List<Disposable> streams = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        streams.forEach(Disposable::dispose);
        registry.local().stream().filter(BackgroundScan::running).forEach(s -> registry.cancel(s.id()).block(Duration.ofSeconds(30)));
        Await.until(() -> registry.running() == 0, "all background scans stopped");
        listeners.close();
    }

    private WebTestClient as(String token) {
        return client.mutate().defaultHeader("Authorization", "Bearer " + token).build();
    }

    private WebTestClient.ResponseSpec post(String token, String ports) {
        return as(token).post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":\"" + ports + "\",\"timeout\":\"10s\",\"retries\":\"0\"}")
                .exchange();
    }

    @Test
    void aClientOverItsConcurrentScansGets429WithRetryAfterUntilOneEnds() throws Exception {
        String token = "quota-token-aaaaaaaaaa";
        String client = tokens.clientOf(token).orElseThrow();
        String slow = listeners.fullQueues(2);
        // One streaming and one background scan, both waiting out 10 s timeouts: two running.
        streams.add(as(token).get().uri("/api/scan?targets=127.0.0.1&ports=" + slow + "&timeout=10s&retries=0")
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(SseClient.EVENT).getResponseBody().subscribe());
        Await.until(() -> quotas.running(client) == 1, "the streaming scan counts as running");
        String id = (String) post(token, slow).expectStatus().isAccepted()
                .expectBody(Map.class).returnResult().getResponseBody().get("id");
        assertThat(quotas.running(client)).isEqualTo(2);

        post(token, slow).expectStatus().isEqualTo(429)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().value("Retry-After", v -> assertThat(Long.parseLong(v)).isPositive())
                .expectBody()
                .jsonPath("$.quota").isEqualTo("max-concurrent-scans-per-client")
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains("2 scans"));
        as(token).get().uri("/api/scan?targets=127.0.0.1&ports=" + slow).exchange().expectStatus().isEqualTo(429);
        // Another client is not held to this one's count.
        post("quota-token-bbbbbbbbbb", slow).expectStatus().isAccepted();
        // The refused requests left nothing running behind.
        assertThat(quotas.running(client)).isEqualTo(2);

        as(token).delete().uri("/api/scans/" + id).exchange().expectStatus().isOk();
        Await.until(() -> quotas.running(client) == 1, "the cancelled scan gave its place back");
    }

    @Test
    void aClientOverItsScansPerMinuteGets429WithRetryAfterForBothEndpoints() throws Exception {
        String token = "quota-token-cccccccccc";
        int open = listeners.open();
        // Three scans per minute: two started in the background, one streamed...
        post(token, Integer.toString(open)).expectStatus().isAccepted();
        post(token, Integer.toString(open)).expectStatus().isAccepted();
        as(token).get().uri("/api/scan?targets=127.0.0.1&ports=" + open).accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk().expectBody(String.class).value(b -> assertThat(b).contains("event:done"));
        // ...and the fourth, by either endpoint, is refused until the bucket refills (20 s per scan).
        for (int i = 0; i < 2; i++) {
            WebTestClient.ResponseSpec refused = i == 0
                    ? as(token).get().uri("/api/scan?targets=127.0.0.1&ports=" + open).exchange()
                    : post(token, Integer.toString(open));
            refused.expectHeader().value("Retry-After", v -> assertThat(Long.parseLong(v)).isBetween(1L, 20L));
            assertThat(Problems.checked(refused, 429, i == 0 ? "/api/scan" : "/api/scans"))
                    .containsEntry("quota", "scans-per-minute");
        }
        // Another client still has its own three.
        post("quota-token-dddddddddd", Integer.toString(open)).expectStatus().isAccepted();
        assertThat(quotas.running(tokens.clientOf(token).orElseThrow())).isZero();
    }

    @Test
    void a413ForAnOmittedPortListNamesTheDefaultList() {
        as("quota-token-ffffffffff").get().uri("/api/scan?targets=127.0.0.1").exchange()
                .expectStatus().isEqualTo(413)
                .expectBody()
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains("ports='top-1000'")
                        .doesNotContain("null"));
    }

    @Test
    void aScanOverTheProbeQuotaGets413AndLeavesNothingBehind() {
        String token = "quota-token-eeeeeeeeee";
        String client = tokens.clientOf(token).orElseThrow();
        int before = registry.local().size();
        as(token).post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":\"1-11\"}").exchange()
                .expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.probes").isEqualTo(11)
                .jsonPath("$.limit").isEqualTo(10);
        as(token).get().uri("/api/scan?targets=127.0.0.1&ports=1-11").exchange().expectStatus().isEqualTo(413);
        // No scan was added (an earlier test's scan may have left since, once its last events were stored).
        assertThat(registry.local().size()).isLessThanOrEqualTo(before);
        assertThat(quotas.running(client)).isZero();
        // At the limit it is accepted (the two refusals above each counted against the three per minute).
        as(token).post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":\"1-10\"}").exchange()
                .expectStatus().isAccepted();
    }
}
