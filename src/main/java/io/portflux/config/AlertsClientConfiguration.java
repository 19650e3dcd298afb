package io.portflux.config;

import io.netty.channel.ChannelOption;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * AlertsClientConfiguration gives webhook deliveries a WebClient on the HTTP loops (epoll, like the server's),
 * with a connect timeout and no redirects: a redirect would lead past the webhook policy. It is made at the first
 * delivery ({@link Lazy}), not at start.
 */
@Configuration(proxyBeanMethods = false)
public class AlertsClientConfiguration {

    private static final int CONNECT_TIMEOUT_MS = 5000;

    @Bean
    @Lazy
    WebClient alertsWebClient(ReactorResourceFactory resources) {
        return WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(resources, client -> client
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                        .followRedirect(false)))
                .build();
    }
}
