package io.portflux.probe;

import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * ProbeSocket opens and inspects the bare TCP sockets of {@link ProbeLane} probes, through Netty's
 * native {@link Socket} (a subclass, because the descriptor-only factory is protected).
 *
 * <p>On io_uring a probe holds only the descriptor number, and a {@code ProbeSocket} object is made
 * only for the rare socket that connected; on epoll each socket is a {@code ProbeSocket} object.
 */
final class ProbeSocket extends Socket {

    private ProbeSocket(int fd) {
        super(fd);
    }

    /** Opens a socket as {@link #open} does, as an object. */
    static ProbeSocket create(boolean ipv6) {
        return new ProbeSocket(newSocketStream0(ipv6));
    }

    /**
     * Opens a non-blocking, close-on-exec TCP socket of the IPv6 or IPv4 family and returns its
     * descriptor. Throws Netty's {@code ChannelException} carrying the errno when socket(2) fails.
     */
    static int open(boolean ipv6) {
        return newSocketStream0(ipv6);
    }

    /**
     * Prepares a connected socket for an abortive close and tells whether it connected to itself;
     * a failure to set the linger option only means the close sends a FIN instead of a RST.
     */
    static boolean lingerZeroAndCheckSelf(int fd, InetSocketAddress target) {
        ProbeSocket socket = new ProbeSocket(fd);
        try {
            socket.setSoLinger(0);
        } catch (IOException ignored) {
            // Best effort: the probe's answer does not depend on it.
        }
        return ConnectProber.isSelfConnect(socket.localAddress(), target);
    }

    /** Closes {@code fd} with a plain close(2), for when the ring can no longer take a close. */
    static void closeNow(int fd) {
        try {
            new FileDescriptor(fd).close();
        } catch (IOException ignored) {
            // The descriptor is released by the kernel even when close(2) reports an error.
        }
    }
}
