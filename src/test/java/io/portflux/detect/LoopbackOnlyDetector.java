package io.portflux.detect;

import io.portflux.probe.LoopbackOnlyProber;
import io.portflux.scan.service.ServiceDetector;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/**
 * LoopbackOnlyDetector is the test guard of detection, as {@link LoopbackOnlyProber} is of probes: it passes
 * loopback addresses (and a real-network rig's targets) to the delegate, and fails the test on any other,
 * before a connection is opened. It also records the refused addresses, since the engine turns a detector's
 * error into a table guess.
 */
public final class LoopbackOnlyDetector implements ServiceDetector {

    private final ServiceDetector delegate;
    private final Set<InetAddress> rigTargets;
    private final List<InetSocketAddress> violations = new CopyOnWriteArrayList<>();

    public LoopbackOnlyDetector(ServiceDetector delegate, Set<InetAddress> rigTargets) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.rigTargets = Set.copyOf(rigTargets);
    }

    @Override
    public Mono<Detection> detect(InetSocketAddress address, java.time.Duration connectRtt) {
        if (address == null || address.isUnresolved()
                || !(address.getAddress().isLoopbackAddress() || rigTargets.contains(address.getAddress()))) {
            violations.add(address);
            throw new AssertionError("test tried to detect a service at a non-loopback address: " + address);
        }
        return delegate.detect(address, connectRtt);
    }

    @Override
    public int concurrency() {
        return delegate.concurrency();
    }

    /** Addresses that were refused, in order. */
    public List<InetSocketAddress> violations() {
        return List.copyOf(violations);
    }
}
