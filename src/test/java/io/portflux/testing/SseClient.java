package io.portflux.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/** SseClient reads PortFlux event streams in tests. */
public final class SseClient {

    public static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENT =
            new ParameterizedTypeReference<>() {};

    private SseClient() {}

    public static Flux<ServerSentEvent<Map<String, Object>>> stream(WebTestClient client, String uri) {
        return client.get().uri(uri).accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .returnResult(EVENT).getResponseBody();
    }

    public static List<ServerSentEvent<Map<String, Object>>> all(WebTestClient client, String uri) {
        return stream(client, uri).collectList().block(Duration.ofSeconds(60));
    }

    public static List<String> names(List<ServerSentEvent<Map<String, Object>>> events) {
        return events.stream().map(ServerSentEvent::event).toList();
    }

    public static Map<String, Object> last(List<ServerSentEvent<Map<String, Object>>> events) {
        return events.get(events.size() - 1).data();
    }

    public static long number(Map<String, Object> data, String key) {
        return ((Number) data.get(key)).longValue();
    }
}
