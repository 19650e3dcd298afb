package io.portflux.scan;

import java.net.InetSocketAddress;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * Prober is the seam between the engine and the transport: it makes one TCP connect attempt.
 *
 * <p>A prober has one or more lanes (one per event loop). The scanner gives each lane its own share
 * of the probe space, so that every loop works and no loop serialises the others.
 */
public interface Prober {

    /** Number of independent lanes, at least 1. */
    int lanes();

    /**
     * Makes one connect attempt to {@code address} on {@code lane}. The returned Mono emits exactly
     * one outcome and never errors for network answers; cancelling it closes the probe socket.
     */
    Mono<ProbeOutcome> probe(int lane, InetSocketAddress address, Duration timeout);

    /**
     * Probes this process could start now without waiting: what its in-flight budget has left, 0 while probes
     * queue for it. A prober with no budget of its own has no limit.
     */
    default long spare() {
        return Long.MAX_VALUE;
    }
}
