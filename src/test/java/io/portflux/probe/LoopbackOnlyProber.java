package io.portflux.probe;

import io.portflux.scan.ProbeOutcome;
import io.portflux.scan.Prober;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/**
 * LoopbackOnlyProber is a test guard that passes probes to loopback through and fails the test on any
 * other address, before the delegate is ever asked.
 *
 * <p>It throws an {@link AssertionError} (which Reactor turns into an error signal inside a
 * {@code flatMap}) and also records the address, so a test can assert on {@link #violations()} even
 * when the engine swallows the error.
 */
public final class LoopbackOnlyProber implements Prober {

    private final Prober delegate;
    private final List<InetSocketAddress> violations = new CopyOnWriteArrayList<>();

    public LoopbackOnlyProber(Prober delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public int lanes() {
        return delegate.lanes();
    }

    @Override
    public Mono<ProbeOutcome> probe(int lane, InetSocketAddress address, Duration timeout) {
        if (address == null || address.isUnresolved() || !address.getAddress().isLoopbackAddress()) {
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
