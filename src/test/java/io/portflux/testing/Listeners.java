package io.portflux.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** Listeners makes loopback listeners on ephemeral ports for tests. */
public final class Listeners {

    private Listeners() {}

    /** {@code ::1}, or the test is skipped when this machine has no IPv6 loopback it can bind. */
    public static InetAddress ipv6LoopbackOrSkip() throws IOException {
        InetAddress v6 = InetAddress.getByName("::1");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.net.NetworkInterface.getByInetAddress(v6) != null,
                "no ::1 on this machine");
        try (ServerSocket probe = new ServerSocket(0, 1, v6)) {
            return v6;
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("cannot bind ::1: " + e);
            return null;
        }
    }

    /** A port that was just bound on {@code address} and released again, so nothing listens there. */
    public static int unusedPort(InetAddress address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, address)) {
            return s.getLocalPort();
        }
    }

    /**
     * A listener that never accepts and whose accept queue is already full, so the kernel drops further
     * SYNs and a connect to it times out.
     */
    public static final class FullQueue implements AutoCloseable {
        /** Linux queues backlog + 1 connections; a backlog of 1 is full after two. */
        private static final int FILLERS = 2;

        final ServerSocket server;
        final List<Socket> fillers = new ArrayList<>();

        public FullQueue(InetAddress address) throws IOException {
            // Java turns a backlog <= 0 into 50, so 1 is the smallest real backlog.
            server = new ServerSocket(0, 1, address);
            // Blocking connects return once the handshake is done, so the queue is full when this
            // constructor returns: no waiting for handshakes to settle.
            for (int i = 0; i < FILLERS; i++) {
                Socket c = new Socket();
                c.connect(new InetSocketAddress(address, server.getLocalPort()), 5_000);
                fillers.add(c);
            }
        }

        public InetSocketAddress address() {
            return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            for (Socket c : fillers) {
                c.close();
            }
            server.close();
        }
    }
}
