package io.portflux.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUring;
import io.portflux.probe.ConnectProber;
import io.portflux.probe.ProbeLoops;
import io.portflux.probe.ProbeLoops.Transport;
import io.portflux.testing.Listeners;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * HttpTransportTests check that the probes run on the best transport (io_uring where the kernel has
 * it) while the HTTP server and its test clients stay on epoll.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
class HttpTransportTests {

    @Autowired
    WebTestClient client;

    @Autowired
    ProbeLoops probeLoops;

    @Autowired
    ConnectProber prober;

    @Autowired
    HttpLoops httpLoops;

    @Test
    void probesRunOnTheBestTransportAndHttpOnEpoll() throws Exception {
        Transport best = IoUring.isAvailable() ? Transport.IO_URING
                : Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
        assertThat(probeLoops.transport()).isEqualTo(best);
        assertThat(prober.loops()).isSameAs(probeLoops);
        assertThat(httpLoops.epoll()).isEqualTo(Epoll.isAvailable());

        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        String body;
        try (ServerSocket open = new ServerSocket(0, 50, loopback)) {
            int closed = Listeners.unusedPort(loopback);
            body = client.get()
                    .uri("/api/scan?targets=127.0.0.1&ports=" + open.getLocalPort() + "," + closed + "&report=all")
                    .accept(MediaType.TEXT_EVENT_STREAM).exchange()
                    .expectStatus().isOk()
                    .expectBody(String.class).returnResult().getResponseBody();
        }
        assertThat(body).contains("\"state\":\"open\"").contains("\"state\":\"closed\"")
                .contains("\"status\":\"completed\"");

        if (Epoll.isAvailable()) {
            assertThat(TestHttpClients.SERVER_CHANNELS).isNotEmpty().containsOnly(EpollSocketChannel.class);
            assertThat(TestHttpClients.CLIENT_CHANNELS).isNotEmpty().containsOnly(EpollSocketChannel.class);
        }
    }
}
