package io.portflux.target;

import java.net.InetAddress;
import java.util.List;
import reactor.core.publisher.Mono;

/** HostResolver turns a host name into addresses without blocking an event loop. */
public interface HostResolver {

    /**
     * Resolves {@code hostname} once. Emits the addresses (IPv4 first when both exist), or an empty
     * list when the name does not resolve. Errors only for faults of the resolver itself.
     */
    Mono<List<InetAddress>> resolve(String hostname);
}
