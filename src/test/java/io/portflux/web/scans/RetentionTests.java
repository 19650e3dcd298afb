package io.portflux.web.scans;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.SseClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** RetentionTests check that finished scans beyond the configured count are evicted, oldest first. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "portflux.scans.max-retained=2")
@AutoConfigureWebTestClient(timeout = "60s")
class RetentionTests {

    @Autowired
    WebTestClient client;

    private String runToCompletion(int port) {
        Map<?, ?> body = client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":\"" + port + "\"}")
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        String id = (String) body.get("id");
        assertThat(SseClient.last(SseClient.all(client, "/api/scans/" + id + "/events"))).containsEntry("status", "completed");
        return id;
    }

    @Test
    void pastTheRetainedCountTheOldestFinishedScansAreEvicted() {
        String first = runToCompletion(1);
        String second = runToCompletion(2);
        String third = runToCompletion(3);

        List<?> list = client.get().uri("/api/scans").exchange().expectStatus().isOk()
                .expectBody(List.class).returnResult().getResponseBody();
        List<Object> ids = list.stream().map(s -> ((Map<?, ?>) s).get("id")).map(Object.class::cast).toList();
        assertThat(ids).containsExactly(third, second);
        client.get().uri("/api/scans/" + first).exchange().expectStatus().isNotFound();
        client.get().uri("/api/scans/" + second).exchange().expectStatus().isOk();
    }
}
