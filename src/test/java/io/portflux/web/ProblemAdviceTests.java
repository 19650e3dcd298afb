package io.portflux.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.testing.Problems;
import io.portflux.testing.SseClient;
import io.portflux.web.problem.ProblemTypes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;

/**
 * ProblemAdviceTests send each kind of bad request the issue lists and check that the answer is a
 * problem with the same members every time, and a detail that says what to do.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class ProblemAdviceTests {

    @Autowired
    WebTestClient client;

    private WebTestClient.ResponseSpec postJson(String json) {
        return client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "targets=127.0.0.1&prots=22          | prots      | 22          | did you mean 'ports'?",
        "targets=127.0.0.1&ports=1&concurency=9 | concurency | 9         | did you mean 'concurrency'?",
        "targets=127.0.0.1&xyzzy=1           | xyzzy      | 1           | Known: targets, ports",
        "targets=localhost:8080              | targets    | localhost:8080 | ports go in 'ports'",
        "targets=no-such-host.invalid&ports=1 | targets   | no-such-host.invalid | no name resolved",
        "targets=127.0.0.1,!127.0.0.1&ports=1 | targets   | 127.0.0.1,!127.0.0.1 | exclusions cover every included address",
        "targets=127.0.0.1&ports=80,          | ports      | 80,         | has an empty entry",
        "targets=127.0.0.1&ports=,,           | ports      | ',,'        | has an empty entry",
        "targets=127.0.0.1&ports=1&distribute=yes | distribute | yes      | must be 'auto', 'on' or 'off'",
    })
    void aBadQueryIsA400NamingTheFieldAndValue(String query, String field, String value, String advice) {
        Map<String, Object> body = Problems.checked(client.get().uri("/api/scan?" + query).exchange(), 400, "/api/scan");
        assertThat(body).containsEntry("field", field).containsEntry("value", value);
        assertThat((String) body.get("detail")).contains(advice);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "{\"targets\":\"127.0.0.1\",\"prots\":\"22\"}     | prots       | did you mean 'ports'?",
        "{\"targets\":\"127.0.0.1\",\"Ports\":\"22\"}     | Ports       | did you mean 'ports'?",
        "{\"targets\":[\"127.0.0.1\"]}                    | targets     | expected a JSON string (a comma-separated list), got an array",
        "{\"targets\":\"127.0.0.1\",\"concurrency\":true} | concurrency | expected a JSON string or number, got a boolean",
        "{\"targets\":\"127.0.0.1\",\"retries\":{}}       | retries     | got an object",
        "{\"targets\":\"127.0.0.1\",\"distribute\":\"always\"} | distribute | must be 'auto', 'on' or 'off'",
        "{\"targets\":\"127.0.0.1\",\"distribute\":true}   | distribute  | expected a JSON string or number, got a boolean",
    })
    void aBadJsonKeyOrTypeIsA400NamingTheField(String json, String field, String advice) {
        Map<String, Object> body = Problems.checked(postJson(json), 400, "/api/scans");
        assertThat(body).containsEntry("field", field);
        assertThat((String) body.get("detail")).contains(advice);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "{\"targets\": \"127.0.0.1\"  | line 1",
        "{\"targets\": 127.0.0.1}     | line 1",
        "[\"127.0.0.1\"]              | expected e.g. {",
        "\"127.0.0.1\"                | expected e.g. {",
    })
    void brokenJsonIsA400SayingWhereAndWhatWasExpected(String json, String advice) {
        Map<String, Object> body = Problems.checked(postJson(json), 400, "/api/scans");
        assertThat(body).containsEntry("type", ProblemTypes.BASE + "invalid-json")
                .containsEntry("expected", "a JSON object whose values are strings or numbers")
                .containsKey("field");
        assertThat((String) body.get("detail")).contains(advice).doesNotContain("Failed to read HTTP message");
    }

    @Test
    void aNumberIsAcceptedWhereTheQueryStringWouldHaveDigits() {
        client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":1,\"concurrency\":8,\"retries\":0}")
                .exchange().expectStatus().isAccepted();
    }

    @Test
    void aPostWithoutContentTypeIsA415SayingToSendJson() {
        // A body with no Content-Type header at all (a data-buffer body gets none from the client).
        Flux<DataBuffer> bytes = Flux.just(DefaultDataBufferFactory.sharedInstance.wrap("{}".getBytes(StandardCharsets.UTF_8)));
        Map<String, Object> none = Problems.checked(client.post().uri("/api/scans").body(BodyInserters.fromDataBuffers(bytes))
                .exchange(), 415, "/api/scans");
        assertThat(none).containsEntry("field", HttpHeaders.CONTENT_TYPE);
        assertThat((String) none.get("detail")).contains("Content-Type: application/json").doesNotContainIgnoringCase("form");

        Map<String, Object> form = Problems.checked(client.post().uri("/api/scans").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("targets=127.0.0.1").exchange(), 415, "/api/scans");
        assertThat(form).containsEntry("field", HttpHeaders.CONTENT_TYPE)
                .containsEntry("value", MediaType.APPLICATION_FORM_URLENCODED_VALUE);
        assertThat((String) form.get("detail")).contains("application/json");
    }

    @Test
    void anUnknownApiPathIsAProblem404() {
        Map<String, Object> body = Problems.checked(client.get().uri("/api/nope").exchange(), 404, "/api/nope");
        assertThat(body).containsEntry("type", ProblemTypes.BASE + "not-found");
        assertThat((String) body.get("detail")).contains("GET /api/nope").contains("/api/scans").doesNotContain("static resource");
    }

    @Test
    void aTargetOutsideTheAllowListIsA403ThatShowsTheAllowList() {
        Map<String, Object> body = Problems.checked(client.get().uri("/api/scan?targets=10.0.0.1&ports=80").exchange(), 403, "/api/scan");
        assertThat(body).containsEntry("field", "targets").containsEntry("value", "10.0.0.1")
                .containsEntry("allowed", List.of("127.0.0.0/8", "::1/128"));
        assertThat((String) body.get("detail")).contains("allowed: 127.0.0.0/8, ::1/128");
    }

    @Test
    void aScanOverTheProbeLimitIsA413WithTheSameMembers() {
        Map<String, Object> body = Problems.checked(client.get().uri("/api/scan?targets=127.0.0.0/16&ports=all").exchange(), 413, "/api/scan");
        assertThat(body).containsKeys("probes", "limit");
    }

    @Test
    void anUnknownEventsParameterIsA400SuggestingTheRightOne() {
        String id = (String) client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":\"1\"}").exchange().expectStatus().isAccepted()
                .expectBody(Map.class).returnResult().getResponseBody().get("id");
        String path = "/api/scans/" + id + "/events";
        Map<String, Object> body = Problems.checked(client.get().uri(path + "?lastEventID=3").exchange(), 400, path);
        assertThat(body).containsEntry("field", "lastEventID");
        assertThat((String) body.get("detail")).contains("did you mean 'lastEventId'?");
    }

    @Test
    void aResumePastTheEndOfAFinishedScanEndsOnTheTerminalEvent() {
        String id = (String) client.post().uri("/api/scans").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"targets\":\"127.0.0.1\",\"ports\":\"1\"}").exchange().expectStatus().isAccepted()
                .expectBody(Map.class).returnResult().getResponseBody().get("id");
        var all = SseClient.all(client, "/api/scans/" + id + "/events");
        ServerSentEvent<Map<String, Object>> done = all.get(all.size() - 1);
        assertThat(done.event()).isEqualTo("done");

        for (String after : List.of(done.id(), "999999")) {
            var resumed = client.get().uri("/api/scans/" + id + "/events").header("Last-Event-ID", after)
                    .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                    .returnResult(SseClient.EVENT).getResponseBody().collectList().block(Duration.ofSeconds(30));
            assertThat(resumed).singleElement().satisfies(e -> {
                assertThat(e.event()).isEqualTo("done");
                assertThat(e.id()).isEqualTo(done.id());
                assertThat(e.data()).isEqualTo(done.data());
            });
        }
    }
}
