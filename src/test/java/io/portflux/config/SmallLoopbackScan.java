package io.portflux.config;

import io.portflux.testing.Listeners;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** SmallLoopbackScan streams a two-port scan of 127.0.0.1 (one open, one closed) and returns the raw SSE body. */
public final class SmallLoopbackScan {

    private SmallLoopbackScan() {}

    public static String run(WebTestClient client) throws Exception {
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        try (ServerSocket open = new ServerSocket(0, 50, loopback)) {
            int closed = Listeners.unusedPort(loopback);
            return client.get()
                    .uri("/api/scan?targets=127.0.0.1&ports=" + open.getLocalPort() + "," + closed + "&report=all")
                    .accept(MediaType.TEXT_EVENT_STREAM).exchange()
                    .expectStatus().isOk()
                    .expectBody(String.class).returnResult().getResponseBody();
        }
    }
}
