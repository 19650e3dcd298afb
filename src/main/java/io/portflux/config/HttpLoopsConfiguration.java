package io.portflux.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * HttpLoopsConfiguration keeps the HTTP server, and the reactor-netty clients Spring builds, on
 * {@link HttpLoops} (epoll), whatever transport the probe loops use.
 *
 * <p>Boot's Netty web server runs on the loops of the {@link ReactorResourceFactory} bean (it calls
 * {@code runOn(factory.getLoopResources())} when it starts), and Boot's WebClient and connector
 * builders use that factory too. This factory replaces Boot's, which would use reactor-netty's global
 * resources and so io_uring.
 */
@Configuration(proxyBeanMethods = false)
public class HttpLoopsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(HttpLoopsConfiguration.class);

    @Bean(destroyMethod = "close")
    HttpLoops httpLoops() {
        HttpLoops loops = new HttpLoops("portflux-http");
        log.info("HTTP server and client loops: {}", loops.epoll() ? "epoll" : "nio");
        return loops;
    }

    @Bean
    ReactorResourceFactory reactorResourceFactory(HttpLoops loops) {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.setLoopResources(loops);
        return factory;
    }
}
