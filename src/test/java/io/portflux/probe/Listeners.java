package io.portflux.probe;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/** Listeners makes loopback listeners on ephemeral ports for probe tests. */
final class Listeners {

    private Listeners() {}

    /** A port that was just bound on {@code address} and released again, so nothing listens there. */
    static int unusedPort(InetAddress address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, address)) {
            return s.getLocalPort();
        }
    }

    /**
     * A listener that never accepts and whose accept queue is already full, so the kernel drops further
     * SYNs and a connect to it times out.
     */
    static final class FullQueue implements AutoCloseable {
        final ServerSocket server;
        final List<SocketChannel> fillers = new ArrayList<>();

        FullQueue(InetAddress address) throws IOException {
            // Java turns a backlog <= 0 into 50, so 1 is the smallest real backlog.
            server = new ServerSocket(0, 1, address);
            for (int i = 0; i < 3; i++) {
                SocketChannel c = SocketChannel.open();
                c.configureBlocking(false);
                c.connect(new InetSocketAddress(address, server.getLocalPort()));
                fillers.add(c);
            }
            try {
                Thread.sleep(50); // let the handshakes of the fillers settle
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        InetSocketAddress address() {
            return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            for (SocketChannel c : fillers) {
                c.close();
            }
            server.close();
        }
    }
}
