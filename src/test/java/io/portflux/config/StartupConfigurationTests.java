package io.portflux.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.jackson.JacksonComponentModule;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * StartupConfigurationTests check that a start builds no {@code @JacksonComponent} scan, and that JSON is still
 * written as configured (problem details, no null members); and that the webhook client is made at its first use.
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
    void theWebhookClientIsMadeAtItsFirstUse() {
        BeanDefinition definition = ((ConfigurableApplicationContext) context).getBeanFactory()
                .getBeanDefinition("alertsWebClient");
        assertThat(definition.isLazyInit()).isTrue();
        new ApplicationContextRunner()
                .withBean(ReactorResourceFactory.class)
                .withUserConfiguration(AlertsClientConfiguration.class)
                .run(fresh -> {
                    assertThat(fresh.getBeanFactory().containsSingleton("alertsWebClient")).isFalse();
                    assertThat(fresh.getBean("alertsWebClient")).isInstanceOf(WebClient.class);
                    assertThat(fresh.getBeanFactory().containsSingleton("alertsWebClient")).isTrue();
                });
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
