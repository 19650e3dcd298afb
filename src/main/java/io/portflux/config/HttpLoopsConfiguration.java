package io.portflux.config;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * HttpLoopsConfiguration keeps the HTTP server, and the reactor-netty clients Spring builds, on
 * {@link HttpLoops} (epoll), whatever transport the probe loops use.
 *
 * <p>Boot does not hand its {@link ReactorResourceFactory} loops to the server, so a server
 * customizer pins them with {@code runOn}; the factory here, which Boot's WebClient and connector
 * builders use, gets the same loops.
 */
@Configuration(proxyBeanMethods = false)
public class HttpLoopsConfiguration {

    private static final Log log = LogFactory.getLog(HttpLoopsConfiguration.class);

    @Bean(destroyMethod = "close")
    HttpLoops httpLoops() {
        HttpLoops loops = new HttpLoops("portflux-http");
        log.info("HTTP server and client loops: " + (loops.epoll() ? "epoll" : "nio"));
        return loops;
    }

    @Bean
    NettyServerCustomizer httpLoopsServerCustomizer(HttpLoops loops) {
        return server -> server.runOn(loops);
    }

    @Bean
    ReactorResourceFactory reactorResourceFactory(HttpLoops loops) {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.setLoopResources(loops);
        return factory;
    }
}
