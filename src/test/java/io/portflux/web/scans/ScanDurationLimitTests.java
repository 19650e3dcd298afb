package io.portflux.web.scans;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.ListenerPool;
import io.portflux.testing.SseClient;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** ScanDurationLimitTests stop scans that outrun portflux.quotas.max-scan-duration, streamed or in the background. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "portflux.quotas.max-scan-duration=300ms")
@AutoConfigureWebTestClient(timeout = "60s")
class ScanDurationLimitTests {

    @Autowired
    WebTestClient client;

    private final ListenerPool listeners = new ListenerPool();

    @AfterEach
    void closeListeners() throws Exception {
        listeners.close();
    }

    @Test
    void aStreamedScanPastItsLimitEndsCancelledWithTheReason() throws Exception {
        // A probe that would wait 10 s for a full accept queue: only the limit can end this scan soon.
        int filtered = listeners.fullQueue();
        var events = SseClient.all(client, "/api/scan?targets=127.0.0.1&ports=" + filtered + "&timeout=10s&retries=0");
        Map<String, Object> done = SseClient.last(events);
        assertThat(events.get(events.size() - 1).event()).isEqualTo("done");
        assertThat(done).containsEntry("status", "cancelled")
                .containsEntry("message", "scan exceeded its duration limit of 300ms");
        assertThat(SseClient.number(done, "elapsedMs")).isBetween(250L, 5000L);
    }

    @Test
    void aBackgroundScanPastItsLimitEndsCancelledWithTheReason() throws Exception {
        int filtered = listeners.fullQueue();
        Map<?, ?> body = client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":\"" + filtered + "\",\"timeout\":\"10s\",\"retries\":\"0\"}")
                .exchange().expectStatus().isAccepted()
                .expectBody(Map.class).returnResult().getResponseBody();
        var events = SseClient.all(client, "/api/scans/" + body.get("id") + "/events");
        assertThat(SseClient.last(events)).containsEntry("status", "cancelled")
                .containsEntry("message", "scan exceeded its duration limit of 300ms");
        client.get().uri("/api/scans/" + body.get("id")).exchange().expectBody()
                .jsonPath("$.status").isEqualTo("cancelled")
                .jsonPath("$.message").isEqualTo("scan exceeded its duration limit of 300ms");
    }
}
