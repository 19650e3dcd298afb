package io.portflux.web.scans;

import io.portflux.scan.ScanPlan;
import io.portflux.scan.ScanPlanner;
import io.portflux.scan.ScanRequest;
import io.portflux.scan.Scanner;
import io.portflux.scan.event.ScanEvent;
import io.portflux.web.quota.ClientQuotas;
import io.portflux.web.quota.Reservation;
import io.portflux.web.stream.ShutdownSignal;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ScanLauncher is the one way a scan request becomes a scan, for the streaming and the background
 * endpoint alike: admit the client, plan the request, check its probe count against the quota, mark the
 * reservations used, bound the scan's duration, audit it, and give the reservations back when it ends.
 * A refused request gives back every reservation it took and starts nothing.
 */
@Component
public class ScanLauncher {

    /** What a scan is known by once it is planned: its id, and the signal that stops it early. */
    public interface Launching {
        String id();

        /** Emits the reason when the scan must stop before it is done; never, for a scan only its client stops. */
        Mono<String> stopSignal();

        /**
         * For a scan that the replicas share, its events as this replica sees them given the signal that stops
         * it (the scan's own, with the duration limit; a shutdown of this replica does not stop a shared scan);
         * null for a scan that runs here.
         */
        default @Nullable Function<Mono<String>, Flux<ScanEvent>> runsElsewhere() {
            return null;
        }
    }

    /** A planned scan and its events, which run when subscribed. */
    public record Launched<T extends Launching>(T scan, Flux<ScanEvent> events) {}

    private final ScanPlanner planner;
    private final Scanner scanner;
    private final ClientQuotas quotas;
    private final ScanAudit audit;
    private final ShutdownSignal shutdown;

    public ScanLauncher(ScanPlanner planner, Scanner scanner, ClientQuotas quotas, ScanAudit audit,
            ShutdownSignal shutdown) {
        this.planner = planner;
        this.scanner = scanner;
        this.quotas = quotas;
        this.audit = audit;
        this.shutdown = shutdown;
    }

    /**
     * Plans {@code request} for {@code client} and, once every check has passed, lets {@code open} make the
     * scan's record. {@code held} is a reservation the caller already took (a background slot), or null; it
     * is given back together with the client's. Errors: the planner's 400/403/413 exceptions and the
     * quota's 429.
     */
    public <T extends Launching> Mono<Launched<T>> launch(ScanRequest request, String client, String kind,
            @Nullable Reservation held, Function<ScanPlan, T> open) {
        return Mono.defer(() -> {
            Reservation reservation;
            try {
                Reservation admitted = quotas.admit(client);
                reservation = held == null ? admitted : held.and(admitted);
            } catch (RuntimeException refused) {
                if (held != null) {
                    held.release();
                }
                throw refused;
            }
            return planner.plan(request)
                    .map(plan -> {
                        quotas.checkProbes(plan);
                        reservation.markUsed();
                        T scan = open.apply(plan);
                        Function<Mono<String>, Flux<ScanEvent>> elsewhere = scan.runsElsewhere();
                        Flux<ScanEvent> run;
                        if (elsewhere != null) {
                            run = elsewhere.apply(quotas.withDurationLimit(scan.stopSignal()));
                        } else {
                            Mono<String> stop = quotas.withDurationLimit(
                                    Mono.firstWithValue(scan.stopSignal(), shutdown.stopped()));
                            run = scanner.scan(scan.id(), plan, stop);
                        }
                        Flux<ScanEvent> events = audit.record(run, kind, client, request)
                                .doFinally(signal -> reservation.release());
                        return new Launched<>(scan, events);
                    })
                    .doOnError(error -> reservation.release())
                    .doOnCancel(reservation::releaseIfUnused);
        });
    }
}
