package io.portflux.probe;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * EpollLane connects probes on an epoll loop with bare sockets: each socket is registered once, edge
 * triggered for {@code EPOLLOUT}, and stays registered while it is reused. A probe is a connect(2),
 * and, once epoll says the socket is writable or failed, a getsockopt(SO_ERROR); a refused socket is
 * then reset with a connect(2) to {@code AF_UNSPEC} for the next probe. An overdue connect is closed.
 */
final class EpollLane extends ProbeLane {

    private static final EpollIoOps CONNECT_EVENTS = EpollIoOps.EPOLLOUT.with(EpollIoOps.EPOLLET);

    private final IntObjectHashMap<Handle> sockets = new IntObjectHashMap<>();

    EpollLane(IoEventLoop loop, InFlightBudget budget, AtomicInteger inFlight) {
        super(loop, budget, inFlight);
    }

    @Override
    int openSocket(boolean ipv6) {
        ProbeSocket socket = ProbeSocket.create(ipv6);
        Handle handle = new Handle(socket);
        Future<IoRegistration> registered = loop().register(handle); // done at once: we are on the loop
        try {
            if (!registered.isSuccess()) {
                throw new IOException("cannot register a probe socket with epoll", registered.cause());
            }
            handle.registration = registered.getNow();
            handle.registration.submit(CONNECT_EVENTS);
        } catch (IOException | RuntimeException e) {
            ProbeSocket.closeNow(socket.intValue());
            if (handle.registration != null) {
                handle.registration.cancel();
            }
            throw new IllegalStateException(e.getMessage(), e);
        }
        sockets.put(socket.intValue(), handle);
        return socket.intValue();
    }

    @Override
    boolean startConnect(LaneProbe probe, int fd, InetSocketAddress target) {
        Handle handle = sockets.get(fd);
        handle.probe = probe;
        try {
            // Connected at once or in progress: either way epoll reports the socket writable next.
            handle.socket.connect(target);
        } catch (IOException failed) {
            // Refused before any packet left (ENETUNREACH, EACCES, ...): answer on the next loop turn,
            // so the probe's own start has finished.
            int errno = ConnectErrors.errnoOf(failed);
            loop().execute(() -> finish(handle, probe, -errno));
        }
        return true;
    }

    @Override
    void cancelConnect(LaneProbe probe) {
        finish(sockets.get(probe.fd()), probe, -ECANCELED);
    }

    @Override
    boolean reset(LaneProbe probe, int fd, boolean ipv6) {
        boolean ok = false;
        if (wantsSpare(ipv6)) {
            try {
                sockets.get(fd).socket.disconnect();
                ok = true;
            } catch (IOException ignored) {
                // Not reusable: spare() closes it.
            }
        }
        spare(fd, ipv6, ok);
        return false;
    }

    @Override
    void close(int fd) {
        Handle handle = sockets.remove(fd);
        if (handle != null) {
            handle.probe = null;
            ProbeSocket.closeNow(fd); // closed first, so the cancel below needs no EPOLL_CTL_DEL
            handle.registration.cancel();
        }
        released();
    }

    /** Epoll reported {@code handle}'s socket ready: its pending connect, if any, has an answer. */
    private void ready(Handle handle, EpollIoEvent event) {
        LaneProbe probe = handle.probe;
        if (probe == null) {
            return; // a spare, or an edge from the last reset
        }
        int error;
        try {
            error = handle.socket.getSoError();
        } catch (IOException e) {
            error = Math.max(1, ConnectErrors.errnoOf(e));
        }
        if (error == 0 && !event.ops().contains(EpollIoOps.EPOLLOUT)) {
            return; // no answer yet
        }
        finish(handle, probe, -error);
    }

    private void finish(Handle handle, LaneProbe probe, int res) {
        if (handle == null || handle.probe != probe) {
            return; // answered already
        }
        handle.probe = null;
        unbind(probe.slot);
        probe.completed(res);
    }

    /** One probe socket's registration with the loop. */
    private final class Handle implements EpollIoHandle {
        final ProbeSocket socket;
        IoRegistration registration;
        LaneProbe probe;

        Handle(ProbeSocket socket) {
            this.socket = socket;
        }

        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            ready(this, (EpollIoEvent) event);
        }

        /** Called by the loop as it shuts down. */
        @Override
        public void close() {
            shutDown();
        }
    }
}
