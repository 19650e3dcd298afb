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
 */
public final class HttpLoops implements LoopResources, Closeable {

    private final String prefix;
    private final int workers;
    private final boolean epoll;
    private final MultiThreadIoEventLoopGroup server;
    private volatile MultiThreadIoEventLoopGroup clients;

    /** Creates loops named {@code prefix-…}; the server group has as many loops as reactor-netty's default. */
    public HttpLoops(String prefix) {
        this(prefix, Math.max(Runtime.getRuntime().availableProcessors(), 4));
    }

    HttpLoops(String prefix, int workers) {
        this.prefix = prefix;
        this.workers = workers;
        this.epoll = Epoll.isAvailable();
        this.server = group("server");
    }

    private MultiThreadIoEventLoopGroup group(String role) {
        IoHandlerFactory handlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        String name = prefix + "-" + role + (epoll ? "-epoll" : "-nio");
        return new MultiThreadIoEventLoopGroup(workers, new DefaultThreadFactory(name, true), handlers);
    }

    /** True when the loops run on native epoll, false when on NIO. */
    public boolean epoll() {
        return epoll;
    }

    @Override
    public EventLoopGroup onServer(boolean useNative) {
        return server;
    }

    @Override
    public EventLoopGroup onServerSelect(boolean useNative) {
        return server;
    }

    @Override
    public EventLoopGroup onClient(boolean useNative) {
        MultiThreadIoEventLoopGroup c = clients;
        if (c == null) {
            synchronized (this) {
                c = clients;
                if (c == null) {
                    c = group("client");
                    clients = c;
                }
            }
        }
        return c;
    }

    @Override
    public boolean daemon() {
        return true;
    }

    @Override
    public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
        return Mono.defer(() -> {
            long quiet = quietPeriod.toMillis();
            long max = Math.max(quiet, timeout.toMillis());
            Mono<Void> s = done(server.shutdownGracefully(quiet, max, TimeUnit.MILLISECONDS));
            MultiThreadIoEventLoopGroup c = clients;
            Mono<Void> cl = c == null
                    ? Mono.empty()
                    : done(c.shutdownGracefully(quiet, max, TimeUnit.MILLISECONDS));
            return Mono.when(s, cl);
        });
    }

    private static Mono<Void> done(Future<?> future) {
        return Mono.create(sink -> future.addListener(f -> sink.success()));
    }

    @Override
    public boolean isDisposed() {
        MultiThreadIoEventLoopGroup c = clients;
        return server.isTerminated() && (c == null || c.isTerminated());
    }

    /** Shuts the loops down with a short quiet period and waits a few seconds for them to stop. */
    @Override
    public void close() {
        disposeLater(Duration.ofMillis(100), Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
    }

    @Override
    public String toString() {
        return "HttpLoops[" + prefix + " " + workers + (epoll ? " epoll" : " nio") + "]";
    }
}
