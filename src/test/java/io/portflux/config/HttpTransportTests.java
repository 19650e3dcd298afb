package io.portflux.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUring;
import io.portflux.probe.ConnectProber;
import io.portflux.probe.ProbeLoops;
import io.portflux.probe.ProbeLoops.Transport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
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

        String body = SmallLoopbackScan.run(client);
        assertThat(body).contains("\"state\":\"open\"").contains("\"state\":\"closed\"")
                .contains("\"status\":\"completed\"");

        if (Epoll.isAvailable()) {
            assertThat(TestHttpClients.SERVER_CHANNELS).isNotEmpty().containsOnly(EpollSocketChannel.class);
            assertThat(TestHttpClients.CLIENT_CHANNELS).isNotEmpty().containsOnly(EpollSocketChannel.class);
        }
    }
}
