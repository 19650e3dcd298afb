package io.portflux.testing;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** ListenerPool opens loopback listeners on ephemeral ports for one test and closes them all after it. */
public final class ListenerPool implements AutoCloseable {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<AutoCloseable> resources = new ArrayList<>();

    /** A listening port that accepts connections (the kernel completes handshakes for it). */
    public int open() throws Exception {
        ServerSocket s = new ServerSocket(0, 50, LOOPBACK);
        resources.add(s);
        return s.getLocalPort();
    }

    /**
     * A listening port that writes {@code greeting} to each connection it accepts and closes it, as a server
     * that speaks first does (an SSH banner, say); its thread ends when the pool is closed.
     */
    public int greeting(String greeting) throws Exception {
        ServerSocket s = new ServerSocket(0, 50, LOOPBACK);
        resources.add(s);
        Thread thread = new Thread(() -> {
            while (!s.isClosed()) {
                try (java.net.Socket c = s.accept()) {
                    c.getOutputStream().write(greeting.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    c.getOutputStream().flush();
                } catch (java.io.IOException e) {
                    // closed with the pool, or the prober hung up first: either way, next connection or the end
                }
            }
        }, "greeting-" + s.getLocalPort());
        thread.setDaemon(true);
        thread.start();
        return s.getLocalPort();
    }

    /** A port whose accept queue is full, so a connect to it gets no answer. */
    public int fullQueue() throws Exception {
        Listeners.FullQueue q = new Listeners.FullQueue(LOOPBACK);
        resources.add(q);
        return q.address().getPort();
    }

    /** {@code n} full-queue ports as a comma list, ready for the {@code ports} parameter. */
    public String fullQueues(int n) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ports.add(fullQueue());
        }
        return ports.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
        resources.clear();
    }
}
