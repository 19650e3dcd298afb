package io.portflux.config;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import reactor.netty.http.client.HttpClient;

/**
 * TestHttpClients give the tests' reactor-netty HTTP clients epoll loops of their own, like the
 * server's, rather than reactor-netty's default loops (io_uring once it is on the class path). The
 * loops are daemon threads shared by the whole test run and outlive every application context, so a
 * client still reads while its server shuts down.
 */
public final class TestHttpClients {

    private static final HttpLoops LOOPS = new HttpLoops("test-http");

    /** Channel classes of the connections the servers of the test contexts accepted. */
    static final Set<Class<?>> SERVER_CHANNELS = ConcurrentHashMap.newKeySet();

    /** Channel classes of the connections the test clients opened. */
    static final Set<Class<?>> CLIENT_CHANNELS = ConcurrentHashMap.newKeySet();

    private TestHttpClients() {}

    /** The loops the test clients run on. */
    public static HttpLoops loops() {
        return LOOPS;
    }

    /** A connector for {@code WebTestClient.bindToServer(...)} on the test loops. */
    public static ClientHttpConnector connector() {
        return new ReactorClientHttpConnector(HttpClient.create().runOn(LOOPS)
                .doOnConnected(c -> CLIENT_CHANNELS.add(c.channel().getClass())));
    }
}
