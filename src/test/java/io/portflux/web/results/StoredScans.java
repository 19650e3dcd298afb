package io.portflux.web.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.Await;
import java.time.Duration;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** StoredScans runs background scans to their end and waits until the store holds all of each. */
final class StoredScans {

    private final WebTestClient client;

    StoredScans(WebTestClient client) {
        this.client = client;
    }

    /** Starts a scan from {@code json} and returns its id. */
    String start(String json) {
        Map<?, ?> body = client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue(json)
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        return (String) body.get("id");
    }

    /**
     * Runs a scan from {@code json} to completion and returns its id once the store holds all of it: its
     * results answer 200 instead of 409 then (the store ends a scan's record in the transaction of its last rows). XML is asked for because it
     * folds closed and filtered ports, so it stays small however large the scan.
     */
    String run(String json) throws Exception {
        String id = start(json);
        Await.until(() -> client.get().uri("/api/scans/" + id + "/results?format=xml").exchange()
                .expectBody().returnResult().getStatus().value() == 200, "scan " + id + " fully stored",
                Duration.ofSeconds(120));
        assertThat(client.get().uri("/api/scans/" + id).exchange().expectBody(Map.class).returnResult().getResponseBody())
                .containsEntry("status", "completed");
        return id;
    }

    /** The body of {@code uri} as text, with {@code accept} (or none). */
    String text(String uri, String accept) {
        WebTestClient.RequestHeadersSpec<?> get = client.get().uri(uri);
        if (accept != null) {
            get = get.header("Accept", accept);
        }
        byte[] body = get.exchange().expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
}
