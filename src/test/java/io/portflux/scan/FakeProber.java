package io.portflux.scan;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/** FakeProber answers probes from a script, records every attempt, and counts probes in flight. */
final class FakeProber implements Prober {

    /** One recorded attempt. */
    record Attempt(int lane, InetSocketAddress address) {}

    private final int lanes;
    private final Function<InetSocketAddress, Mono<ProbeOutcome>> script;
    final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    final Map<InetSocketAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger cancelled = new AtomicInteger();

    FakeProber(int lanes, Function<InetSocketAddress, Mono<ProbeOutcome>> script) {
        this.lanes = lanes;
        this.script = script;
    }

    /** Open on the given ports, refused everywhere else, answering at once. */
    static FakeProber openOn(int lanes, int... openPorts) {
        java.util.Set<Integer> open = java.util.Arrays.stream(openPorts).boxed().collect(java.util.stream.Collectors.toSet());
        return new FakeProber(lanes, address -> Mono.just(open.contains(address.getPort())
                ? new ProbeOutcome.Open(Duration.ofMillis(1))
                : new ProbeOutcome.Refused(Duration.ofMillis(1))));
    }

    int attemptsOn(int port) {
        return (int) attempts.stream().filter(a -> a.address().getPort() == port).count();
    }

    @Override
    public int lanes() {
        return lanes;
    }

    @Override
    public Mono<ProbeOutcome> probe(int lane, InetSocketAddress address, Duration timeout) {
        return Mono.defer(() -> {
            attempts.add(new Attempt(lane, address));
            perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return script.apply(address);
        }).doOnCancel(cancelled::incrementAndGet).doFinally(signal -> inFlight.decrementAndGet());
    }
}
