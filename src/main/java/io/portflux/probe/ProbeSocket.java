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
     * What the socket's connect really came to, asked of the kernel: {@link #ESTABLISHED} when it has a
     * peer (getpeername succeeds), else the socket's pending errno (SO_ERROR), else {@link #NO_ANSWER}.
     *
     * <p>A transport's own verdict is not enough. An io_uring {@code CONNECT} whose SYN drew an ICMP error
     * completes with 0 although nothing connected (the errno is left in SO_ERROR), and a connect that the
     * timeout sweep cancels may have been answered while the loop was busy with other probes.
     */
    static int connectState(int fd) {
        ProbeSocket socket = new ProbeSocket(fd);
        if (socket.remoteAddress() != null) {
            return ESTABLISHED;
        }
        try {
            int error = socket.getSoError();
            return error != 0 ? error : NO_ANSWER;
        } catch (IOException e) {
            return NO_ANSWER;
        }
    }

    /**
     * Clears what SO_ERROR would report for {@code fd}: the pending error and then the soft one (Linux
     * returns {@code sk_err}, or else takes {@code sk_err_soft}). A reset socket must start clean, or a
     * soft error of its last connection would read as the answer to its next one.
     */
    static void clearPendingError(int fd) {
        ProbeSocket socket = new ProbeSocket(fd);
        try {
            // Two reads: the first may return (and clear) sk_err, leaving sk_err_soft for the second.
            if (socket.getSoError() != 0) {
                socket.getSoError();
            }
        } catch (IOException ignored) {
            // A socket that cannot be asked is closed by its next failure like any other.
        }
    }

    /** {@link #connectState}: the socket is connected to its peer. */
    static final int ESTABLISHED = 0;
    /** {@link #connectState}: neither connected nor failed; the peer has not answered. */
    static final int NO_ANSWER = -1;

    /**
     * Prepares an established socket for an abortive close and tells whether it connected to itself;
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
