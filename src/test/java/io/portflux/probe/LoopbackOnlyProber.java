package io.portflux.probe;

import io.portflux.scan.ProbeOutcome;
import io.portflux.scan.Prober;
import inet.ipaddr.IPAddressString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/**
 * LoopbackOnlyProber is a test guard that passes probes to loopback through and fails the test on any
 * other address, before the delegate is ever asked. The one exception is a real-network rig's targets
 * ({@link io.portflux.testing.NetnsRig}): a service that the rig starts inside its own network namespace
 * is told them, and only them, through {@link #RIG_TARGETS}.
 *
 * <p>It throws an {@link AssertionError} (which Reactor turns into an error signal inside a
 * {@code flatMap}) and also records the address, so a test can assert on {@link #violations()} even
 * when the engine swallows the error.
 */
public final class LoopbackOnlyProber implements Prober {

    /** System property with the comma-separated target addresses of the rig a service runs in. */
    public static final String RIG_TARGETS = "portflux.test.rig-targets";

    private final Prober delegate;
    private final Set<InetAddress> rigTargets;
    private final List<InetSocketAddress> violations = new CopyOnWriteArrayList<>();

    public LoopbackOnlyProber(Prober delegate) {
        this(delegate, Set.of());
    }

    /** A guard that also lets probes to {@code rigTargets} through: the addresses inside a rig's namespace. */
    public LoopbackOnlyProber(Prober delegate, Set<InetAddress> rigTargets) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.rigTargets = Set.copyOf(rigTargets);
    }

    /** The rig targets this JVM was started with ({@link #RIG_TARGETS}); empty outside a rig. */
    public static Set<InetAddress> rigTargetsOfThisProcess() {
        String spec = System.getProperty(RIG_TARGETS, "");
        Set<InetAddress> targets = new HashSet<>();
        for (String literal : spec.split(",")) {
            if (!literal.isBlank()) {
                targets.add(new IPAddressString(literal.trim()).getAddress().toInetAddress());
            }
        }
        return targets;
    }

    @Override
    public int lanes() {
        return delegate.lanes();
    }

    @Override
    public long spare() {
        return delegate.spare();
    }

    @Override
    public Mono<ProbeOutcome> probe(int lane, InetSocketAddress address, Duration timeout) {
        if (address == null || address.isUnresolved()
                || !(address.getAddress().isLoopbackAddress() || rigTargets.contains(address.getAddress()))) {
            violations.add(address);
            throw new AssertionError("test tried to probe a non-loopback address: " + address);
        }
        return delegate.probe(lane, address, timeout);
    }

    /** Addresses that were refused, in order. */
    public List<InetSocketAddress> violations() {
        return List.copyOf(violations);
    }
}
