package io.portflux.probe;

import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.concurrent.Future;
import io.portflux.target.HostResolver;
import java.io.Closeable;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * NettyHostResolver resolves host names with Netty's asynchronous DNS resolver on a probe loop.
 *
 * <p>It reads {@code /etc/hosts} first (Netty's hosts-file resolver) and then asks the name servers of
 * {@code /etc/resolv.conf}, with a bounded query timeout. A name that does not exist gives an empty
 * list; a resolver that cannot get any answer (every query timed out) is an error, because then
 * nothing is known about the name.
 *
 * <p>The resolver and its socket are made at the first name to resolve, not at start: building them took about
 * 50 ms of a start on two cores, and many scans name addresses only.
 */
public final class NettyHostResolver implements HostResolver, Closeable {

    private final ProbeLoops loops;
    private final Duration queryTimeout;
    private final Supplier<DnsServerAddressStreamProvider> nameServers;
    private final @Nullable List<String> searchDomains;
    private @Nullable DnsNameResolver resolver;
    private boolean closed;

    /** Creates a resolver on the first of {@code loops}, using the platform's name servers. */
    public NettyHostResolver(ProbeLoops loops, Duration queryTimeout) {
        this(loops, queryTimeout, DnsServerAddressStreamProviders::platformDefault, null);
    }

    /** Creates a resolver that asks {@code nameServers}; {@code searchDomains} null means the platform's. */
    NettyHostResolver(
            ProbeLoops loops,
            Duration queryTimeout,
            DnsServerAddressStreamProvider nameServers,
            @Nullable List<String> searchDomains) {
        this(loops, queryTimeout, () -> nameServers, searchDomains);
    }

    /** Creates a resolver that asks the name servers {@code nameServers} gives, at the first name to resolve. */
    NettyHostResolver(
            ProbeLoops loops,
            Duration queryTimeout,
            Supplier<DnsServerAddressStreamProvider> nameServers,
            @Nullable List<String> searchDomains) {
        this.loops = Objects.requireNonNull(loops, "loops");
        this.queryTimeout = Objects.requireNonNull(queryTimeout, "queryTimeout");
        this.nameServers = nameServers;
        this.searchDomains = searchDomains == null ? null : List.copyOf(searchDomains);
    }

    /** The resolver, made at the first call; throws once {@link #close()} has run. */
    private synchronized DnsNameResolver resolver() {
        if (closed) {
            throw new IllegalStateException("the host resolver is closed");
        }
        if (resolver == null) {
            DnsNameResolverBuilder builder = new DnsNameResolverBuilder(loops.loop(0))
                    .datagramChannelType(loops.datagramChannelType())
                    .socketChannelType(loops.socketChannelType())
                    .nameServerProvider(nameServers.get())
                    .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                    .queryTimeoutMillis(Math.max(1, queryTimeout.toMillis()));
            if (searchDomains != null) {
                builder.searchDomains(searchDomains);
            }
            resolver = builder.build();
        }
        return resolver;
    }

    @Override
    public Mono<List<InetAddress>> resolve(String hostname) {
        String name = normalise(Objects.requireNonNull(hostname, "hostname"));
        if (name.isEmpty() || isReservedInvalid(name)) {
            return Mono.just(List.of());
        }
        return Mono.create(sink -> {
            Future<List<InetAddress>> lookup = resolver().resolveAll(name);
            sink.onCancel(() -> lookup.cancel(false));
            lookup.addListener(done -> {
                if (lookup.isSuccess()) {
                    sink.success(ipv4First(lookup.getNow()));
                } else if (lookup.isCancelled()) {
                    sink.success(List.of());
                } else if (isNoSuchName(lookup.cause())) {
                    sink.success(List.of());
                } else {
                    sink.error(lookup.cause());
                }
            });
        });
    }

    /** Closes the resolver's socket, if it was made; the loops stay up. */
    @Override
    public synchronized void close() {
        closed = true;
        if (resolver != null) {
            resolver.close();
        }
    }

    private static String normalise(String hostname) {
        String name = hostname.trim();
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        return name;
    }

    /** RFC 6761 section 6.4: names under {@code invalid.} never exist, so no query is sent. */
    private static boolean isReservedInvalid(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        return n.equals("invalid") || n.endsWith(".invalid");
    }

    /**
     * NXDOMAIN and "no such record" arrive as UnknownHostException; a timeout on every query arrives
     * as one too, but with a timeout somewhere in its causes, and that is not an answer.
     */
    static boolean isNoSuchName(Throwable failure) {
        if (failure instanceof IllegalArgumentException) {
            return true; // a malformed name cannot exist
        }
        if (!(failure instanceof UnknownHostException)) {
            return false;
        }
        for (Throwable t = failure.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof io.netty.resolver.dns.DnsNameResolverTimeoutException) {
                return false;
            }
        }
        return true;
    }

    private static List<InetAddress> ipv4First(List<InetAddress> found) {
        Set<InetAddress> v4 = new LinkedHashSet<>();
        Set<InetAddress> v6 = new LinkedHashSet<>();
        for (InetAddress a : found) {
            (a instanceof Inet4Address ? v4 : v6).add(a);
        }
        List<InetAddress> ordered = new ArrayList<>(v4.size() + v6.size());
        ordered.addAll(v4);
        ordered.addAll(v6);
        return List.copyOf(ordered);
    }
}
