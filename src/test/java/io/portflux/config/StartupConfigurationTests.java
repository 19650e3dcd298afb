package io.portflux.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jackson.JacksonComponentModule;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * StartupConfigurationTests check that a start builds no {@code @JacksonComponent} scan, and that JSON is still
 * written as configured (problem details, no null members).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class StartupConfigurationTests {

    @Autowired
    ApplicationContext context;

    @Autowired
    WebTestClient client;

    @Test
    void noJacksonComponentModuleIsBuilt() {
        assertThat(context.containsBeanDefinition(StartupConfiguration.JACKSON_COMPONENT_MODULE)).isFalse();
        assertThat(context.getBeansOfType(JacksonComponentModule.class)).isEmpty();
    }

    @Test
    void jsonIsStillWrittenByBootsMapper() {
        client.get().uri("/api/scan?targets=127.0.0.1&ports=0").exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType("application/problem+json")
                .expectBody()
                .jsonPath("$.field").isEqualTo("ports")
                .jsonPath("$.value").isEqualTo("0");
    }
}
