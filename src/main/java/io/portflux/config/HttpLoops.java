package io.portflux.config;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.Closeable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * HttpLoops are the event loops of the HTTP server and of reactor-netty HTTP clients: native epoll,
 * else NIO, never io_uring.
 *
 * <p>reactor-netty's default loops take the best transport on the class path, which is io_uring once
 * the probe loops bring it in; HTTP stays on epoll, which is what it was tested on. reactor-netty
 * picks the channel type from the group it is handed, so epoll groups give epoll channels. The server
 * and the clients have separate groups, so that clients of a closing server are not cut off with it.
 * Each group is made when it is first asked for: service detection's loops serve no server, and a start
 * spends no threads (or time) on a group that nothing uses.
 */
public final class HttpLoops implements LoopResources, Closeable {

    private final String prefix;
    private final int workers;
    private final boolean epoll;
    private final Group server = new Group("server");
    private final Group clients = new Group("client");
    private volatile boolean disposed;

    /** Creates loops named {@code prefix-…}; the server group has as many loops as reactor-netty's default. */
    public HttpLoops(String prefix) {
        this(prefix, Math.max(Runtime.getRuntime().availableProcessors(), 4));
    }

    HttpLoops(String prefix, int workers) {
        this.prefix = prefix;
        this.workers = workers;
        this.epoll = Epoll.isAvailable();
    }

    /** True when the loops run on native epoll, false when on NIO. */
    public boolean epoll() {
        return epoll;
    }

    @Override
    public EventLoopGroup onServer(boolean useNative) {
        return server.get();
    }

    @Override
    public EventLoopGroup onServerSelect(boolean useNative) {
        return server.get();
    }

    @Override
    public EventLoopGroup onClient(boolean useNative) {
        return clients.get();
    }

    @Override
    public boolean daemon() {
        return true;
    }

    @Override
    public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
        return Mono.defer(() -> {
            disposed = true;
            long quiet = quietPeriod.toMillis();
            long max = Math.max(quiet, timeout.toMillis());
            return Mono.when(server.shutdown(quiet, max), clients.shutdown(quiet, max));
        });
    }

    @Override
    public boolean isDisposed() {
        return disposed && server.terminated() && clients.terminated();
    }

    /** Shuts the loops down with a short quiet period and waits a few seconds for them to stop. */
    @Override
    public void close() {
        disposeLater(Duration.ofMillis(100), Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
    }

    /** How many of the two groups (server, clients) have been made so far. */
    int groupsMade() {
        return (server.made() ? 1 : 0) + (clients.made() ? 1 : 0);
    }

    @Override
    public String toString() {
        return "HttpLoops[" + prefix + " " + workers + (epoll ? " epoll" : " nio") + "]";
    }

    /** One event loop group, made at its first use; none is made once the loops are disposed. */
    private final class Group {

        private final String role;
        private volatile @Nullable MultiThreadIoEventLoopGroup loops;

        Group(String role) {
            this.role = role;
        }

        MultiThreadIoEventLoopGroup get() {
            MultiThreadIoEventLoopGroup g = loops;
            if (g == null) {
                synchronized (this) {
                    g = loops;
                    if (g == null) {
                        if (disposed) {
                            throw new IllegalStateException(HttpLoops.this + " are disposed");
                        }
                        IoHandlerFactory handlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
                        String name = prefix + "-" + role + (epoll ? "-epoll" : "-nio");
                        g = new MultiThreadIoEventLoopGroup(workers, new DefaultThreadFactory(name, true), handlers);
                        loops = g;
                    }
                }
            }
            return g;
        }

        Mono<Void> shutdown(long quiet, long max) {
            MultiThreadIoEventLoopGroup g;
            synchronized (this) {
                g = loops;
            }
            if (g == null) {
                return Mono.empty();
            }
            Future<?> done = g.shutdownGracefully(quiet, max, TimeUnit.MILLISECONDS);
            return Mono.create(sink -> done.addListener(f -> sink.success()));
        }

        boolean made() {
            return loops != null;
        }

        boolean terminated() {
            MultiThreadIoEventLoopGroup g = loops;
            return g == null || g.isTerminated();
        }
    }
}
