package io.portflux.config;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.webtestclient.autoconfigure.WebTestClientBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * TestHttpClientConfiguration puts the auto-configured WebTestClient of every application-context
 * test on {@link TestHttpClients}' epoll loops and records which channel classes the server uses. It lives in the test tree, so component scanning
 * picks it up for every application-context test and never for the real application.
 */
@Configuration(proxyBeanMethods = false)
public class TestHttpClientConfiguration {

    @Bean
    WebTestClientBuilderCustomizer epollWebTestClient() {
        return builder -> builder.clientConnector(TestHttpClients.connector());
    }

    /** Records the channel class of every server connection, for {@code HttpTransportTests}. */
    @Bean
    NettyServerCustomizer recordServerChannels() {
        return server -> server.doOnConnection(c -> TestHttpClients.SERVER_CHANNELS.add(c.channel().getClass()));
    }
}
