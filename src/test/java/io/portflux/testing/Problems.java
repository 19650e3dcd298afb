package io.portflux.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.web.problem.ProblemTypes;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Problems checks the members that every 4xx problem detail of the API carries. */
public final class Problems {

    private Problems() {}

    /**
     * Checks the status, the media type and the members every 4xx carries ({@code type}, {@code title},
     * {@code status}, {@code detail}, {@code instance}), and returns the body for a case's own checks.
     */
    public static Map<String, Object> checked(WebTestClient.ResponseSpec response, int status, String path) {
        @SuppressWarnings("unchecked")
        Map<String, Object> body = response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(Map.class).returnResult().getResponseBody();
        assertThat(body).containsEntry("status", status).containsEntry("instance", path);
        assertThat((String) body.get("type")).startsWith(ProblemTypes.BASE);
        assertThat((String) body.get("title")).isNotBlank();
        assertThat((String) body.get("detail")).isNotBlank();
        return body;
    }
}
