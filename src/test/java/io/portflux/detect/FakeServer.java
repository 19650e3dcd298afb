package io.portflux.detect;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * FakeServer is an in-process loopback server on an ephemeral port that runs a scripted behaviour on every
 * connection (one thread each) and records every byte each connection received.
 */
final class FakeServer implements AutoCloseable {

    /** What the server does with one accepted connection. */
    @FunctionalInterface
    interface Behaviour {
        void serve(Socket socket, Received received) throws Exception;
    }

    /** The bytes one connection received, recorded as they come. */
    static final class Received {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        synchronized void add(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        synchronized byte[] bytes() {
            return bytes.toByteArray();
        }

        /** Reads whatever the client sends until it closes (or the socket fails), recording it. */
        void drain(InputStream in) {
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    add(buf, 0, n);
                }
            } catch (IOException closed) {
                // the detector closed (or reset) the connection: nothing more will come
            }
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-server");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Received> connections = new CopyOnWriteArrayList<>();

    FakeServer(Behaviour behaviour) throws IOException {
        this(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), behaviour);
    }

    FakeServer(ServerSocket server, Behaviour behaviour) {
        this.server = server;
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    Received received = new Received();
                    connections.add(received);
                    threads.execute(() -> {
                        try (socket) {
                            behaviour.serve(socket, received);
                        } catch (Exception e) {
                            // the detector went away mid-script: that is its right
                        }
                    });
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    int port() {
        return server.getLocalPort();
    }

    /** What each connection received so far, in the order they were accepted. */
    List<byte[]> received() {
        List<byte[]> all = new ArrayList<>();
        connections.forEach(c -> all.add(c.bytes()));
        return all;
    }

    @Override
    public void close() throws Exception {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
    }
}
