package io.portflux.web.scans;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class PresetsControllerTests {

    @Autowired
    WebTestClient client;

    @Test
    void listsEveryPresetWithItsSize() {
        client.get().uri("/api/presets").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$[*].name").isEqualTo(java.util.List.of("all", "well-known", "top-100", "top-1000",
                        "kubernetes", "cloud-native"))
                .jsonPath("$[?(@.name == 'top-1000')].ports").isEqualTo(1000)
                .jsonPath("$[?(@.name == 'all')].ports").isEqualTo(65535)
                .jsonPath("$[?(@.name == 'kubernetes')].ports").isEqualTo(2779)
                .jsonPath("$[0].description").isNotEmpty();
    }
}
