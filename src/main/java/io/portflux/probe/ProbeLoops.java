package io.portflux.probe;

import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * ProbeLoops owns the event loops that drive probe sockets, kept apart from the web server's loops.
 *
 * <p>By default ({@link Transport#AUTO}) it uses native io_uring when available, then native epoll,
 * then NIO; a specific transport can be asked for, and falls back the same way when the kernel or
 * platform lacks it. Each loop is addressed by index so that a prober lane can pin all of its
 * connects to one loop.
 */
public final class ProbeLoops implements Closeable {

    /** The probe transport to use; each falls back to the next one down when it is unavailable. */
    public enum Transport {
        /** The best available: io_uring, else epoll, else NIO. */
        AUTO,
        /** Native io_uring (Linux 5.x+), else epoll, else NIO. */
        IO_URING,
        /** Native epoll, else NIO. */
        EPOLL,
        /** The JDK's NIO selector. */
        NIO;

        /** The transport this one resolves to on this machine. */
        Transport resolve() {
            return switch (this) {
                case AUTO, IO_URING -> IoUring.isAvailable() ? IO_URING : EPOLL.resolve();
                case EPOLL -> Epoll.isAvailable() ? EPOLL : NIO;
                case NIO -> NIO;
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MultiThreadIoEventLoopGroup group;
    private final List<EventLoop> loops;
    private final Transport transport;

    /** Creates {@code count} loops (0 means one per available processor) on the best transport. */
    public ProbeLoops(int count) {
        this(count, Transport.AUTO);
    }

    /** Creates {@code count} loops; {@code preferNative} false forces NIO. */
    public ProbeLoops(int count, boolean preferNative) {
        this(count, preferNative ? Transport.AUTO : Transport.NIO);
    }

    /** Creates {@code count} loops on {@code wanted}, or on the next transport down when it is unavailable. */
    public ProbeLoops(int count, Transport wanted) {
        if (count < 0) {
            throw new IllegalArgumentException("event loop count must be >= 0: " + count);
        }
        int n = count == 0 ? Runtime.getRuntime().availableProcessors() : count;
        this.transport = (wanted == null ? Transport.AUTO : wanted).resolve();
        IoHandlerFactory handlers = switch (transport) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
        this.group = new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory("portflux-probe", true), handlers);
        List<EventLoop> list = new ArrayList<>(n);
        for (EventExecutor executor : group) {
            list.add((EventLoop) executor);
        }
        this.loops = List.copyOf(list);
    }

    /** Number of loops. */
    public int size() {
        return loops.size();
    }

    /** The loop at {@code index}, 0-based. */
    public EventLoop loop(int index) {
        return loops.get(index);
    }

    /** True when the loops run on a native transport (io_uring or epoll) rather than NIO. */
    public boolean nativeTransport() {
        return transport != Transport.NIO;
    }

    /** The transport the loops run on: {@code IO_URING}, {@code EPOLL} or {@code NIO}, never {@code AUTO}. */
    public Transport transport() {
        return transport;
    }

    /** A new unregistered TCP channel of this transport; opening the socket may throw (EMFILE). */
    SocketChannel newSocketChannel() {
        return switch (transport) {
            case IO_URING -> new IoUringSocketChannel();
            case EPOLL -> new EpollSocketChannel();
            default -> new NioProbeChannel();
        };
    }

    Class<? extends SocketChannel> socketChannelType() {
        return switch (transport) {
            case IO_URING -> IoUringSocketChannel.class;
            case EPOLL -> EpollSocketChannel.class;
            default -> NioSocketChannel.class;
        };
    }

    Class<? extends DatagramChannel> datagramChannelType() {
        return switch (transport) {
            case IO_URING -> IoUringDatagramChannel.class;
            case EPOLL -> EpollDatagramChannel.class;
            default -> NioDatagramChannel.class;
        };
    }

    /** Shuts the loops down with a short quiet period and waits briefly for them to stop. */
    @Override
    public void close() {
        var termination = group.shutdownGracefully(10, 1000, TimeUnit.MILLISECONDS);
        // Waiting on one of our own loops would deadlock; then shutdown proceeds in the background.
        for (EventLoop loop : loops) {
            if (loop.inEventLoop()) {
                return;
            }
        }
        termination.awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "ProbeLoops[" + loops.size() + " " + transport + "]";
    }
}
