package io.portflux.results;

import io.portflux.store.PortResult;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * HostView is one host of a scan as nmap's formats show it: the states folded into counts ("not shown"), and
 * the ports listed one by one, streamed from the store.
 *
 * @param name the host name the address was given by, if any
 * @param folded the folded states, each with its count and its reasons' counts
 * @param listed the ports listed one by one, in port order
 */
record HostView(String ip, @Nullable String name, List<Folded> folded, Flux<PortResult> listed) {

    /** More ports than this in one closed or filtered state are folded into a count, as nmap does. */
    static final int FOLD_ABOVE = 25;
    /** The reason given for ports a {@code report=open} scan did not store. */
    static final String UNREPORTED = "unreported";

    HostView {
        Objects.requireNonNull(ip, "ip");
        folded = List.copyOf(folded);
        Objects.requireNonNull(listed, "listed");
    }

    /** Ports of one state folded into a count, with the count of each reason. */
    record Folded(String state, long count, List<PortResult.Tally> reasons) {
        Folded {
            Objects.requireNonNull(state, "state");
            reasons = List.copyOf(reasons);
        }
    }

    /** Whether {@code address} is IPv6. */
    boolean ipv6() {
        return ip.indexOf(':') >= 0;
    }
}
