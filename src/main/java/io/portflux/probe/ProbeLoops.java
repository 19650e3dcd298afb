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
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ProbeLoops owns the event loops that drive probe sockets, kept apart from the web server's loops.
 *
 * <p>It uses native epoll when available and NIO otherwise. Each loop is addressed by index so that a
 * prober lane can pin all of its connects to one loop.
 */
public final class ProbeLoops implements Closeable {

    private final MultiThreadIoEventLoopGroup group;
    private final List<EventLoop> loops;
    private final boolean epoll;

    /** Creates {@code count} loops (0 means one per available processor), native when possible. */
    public ProbeLoops(int count) {
        this(count, true);
    }

    /** Creates {@code count} loops; {@code preferNative} false forces NIO (tests use both). */
    public ProbeLoops(int count, boolean preferNative) {
        if (count < 0) {
            throw new IllegalArgumentException("event loop count must be >= 0: " + count);
        }
        int n = count == 0 ? Runtime.getRuntime().availableProcessors() : count;
        this.epoll = preferNative && Epoll.isAvailable();
        IoHandlerFactory handlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
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

    /** True when the loops run on native epoll rather than NIO. */
    public boolean nativeTransport() {
        return epoll;
    }

    /** A new unregistered TCP channel of this transport; opening the socket may throw (EMFILE). */
    SocketChannel newSocketChannel() {
        return epoll ? new EpollSocketChannel() : new NioSocketChannel();
    }

    Class<? extends SocketChannel> socketChannelType() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    Class<? extends DatagramChannel> datagramChannelType() {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
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
        return "ProbeLoops[" + loops.size() + (epoll ? " epoll" : " nio") + "]";
    }
}
