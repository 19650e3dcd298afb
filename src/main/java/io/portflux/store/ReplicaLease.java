package io.portflux.store;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ReplicaLease keeps this replica's lease in the store alive and watches the others': every fifth of the lease
 * time it renews its own, marks the running scans of replicas whose lease ran out as interrupted, and passes
 * on the cancels that other replicas wrote on its own scans' rows (the notification may have been missed).
 *
 * <p>The work is the database's: whichever replica notices a dead one first settles its scans, and the guarded
 * updates make a second one find nothing left to do.
 */
public final class ReplicaLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaLease.class);

    private final Disposable ticks;

    public ReplicaLease(ScanStore store, Clock clock, Duration leaseTime) {
        Duration every = leaseTime.dividedBy(5);
        this.ticks = Flux.interval(every, every)
                .onBackpressureDrop()
                .concatMap(tick -> store.renewLease(clock.instant())
                        .then(store.interruptAbandoned(clock.instant().minus(leaseTime), clock.instant()))
                        .thenMany(store.cancelRequested())
                        .doOnNext(id -> store.signals().cancelRequested(id))
                        .then()
                        .onErrorResume(error -> {
                            log.warn("lease renewal failed: {}", error.toString());
                            return Mono.empty();
                        }), 1)
                .subscribe();
    }

    @Override
    public void close() {
        ticks.dispose();
    }
}
