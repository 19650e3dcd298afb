package io.portflux.store;

import io.portflux.scan.ScanRequest;
import io.portflux.scan.event.ScanEvent;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ScanStore is the system of record for background scans: their record, their journal of events and their
 * port results, shared by every replica that reaches the same database.
 *
 * <p>This is the seam between the web layer and the database: nothing above it knows R2DBC or SQL. Every
 * write is idempotent by key (a scan's id; an event's id within its scan; a result's address and port), so a
 * repeated or resumed write never doubles a row.
 */
public interface ScanStore {

    /** The replica id written as the owner of the scans this process runs. */
    String replicaId();

    /**
     * Marks the scans that a dead process left {@code running} as {@code interrupted}, each with a terminal
     * {@code done} event saying so: those owned by this replica, or, in the embedded store that only one
     * process can open, all of them. Emits how many were marked.
     */
    Mono<Long> recover(Instant now);

    /** Writes the record of a scan that starts now, owned by this replica, with status {@code running}. */
    Mono<Void> create(String id, ScanRequest request, Instant createdAt);

    /**
     * Writes {@code events} of scan {@code id} in batches, off the caller's threads, and completes when the
     * last one (normally the terminal {@code done}, which also sets the final status) is stored.
     */
    Mono<Void> record(String id, Flux<ScanEvent> events);

    /** The scan with {@code id}, with its open ports; empty when there is none. */
    Mono<StoredScan> find(String id);

    /** One page of scans matching {@code query}, newest first. */
    Flux<StoredScan> list(ScanQuery query);

    /** Up to {@code limit} stored events of scan {@code id} whose id is above {@code afterId}, in id order. */
    Flux<ScanEvent> events(String id, long afterId, int limit);

    /**
     * Deletes finished scans that ended before {@code cutoff}, then all but the newest {@code keep} finished
     * ones, with their events and results, in the database. Emits how many scans went.
     */
    Mono<Long> expire(Instant cutoff, int keep);

    /** Renews this replica's lease: its row in the replicas table, as of {@code now}. */
    Mono<Void> renewLease(Instant now);

    /**
     * Marks as {@code interrupted} the running scans of other replicas whose lease was last renewed before
     * {@code cutoff} (the replica died), each with a terminal {@code done} event saying so. Emits how many.
     */
    Mono<Long> interruptAbandoned(Instant cutoff, Instant now);

    /**
     * Asks the replica that runs scan {@code id} to cancel it: a request row, and a wake-up for the owner.
     * Emits whether the scan was running.
     */
    Mono<Boolean> requestCancel(String id);

    /** Ids of the running scans of this replica whose cancel was asked for. */
    Flux<String> cancelRequested();

    /**
     * The stored port results of scan {@code id} in address-then-port order (the database's order of the
     * address text), read in pages of {@code pageSize} rows as the subscriber asks for them, so that a scan of
     * any size streams out with at most two pages in memory.
     *
     * @param ip only this address, or null for all
     * @param skipStates states left out
     */
    Flux<PortResult> results(String id, @Nullable String ip, List<String> skipStates, int pageSize);

    /**
     * The distinct addresses that scan {@code id} stored results for, in the order of {@link #results}, paged.
     *
     * @param states only addresses with a result in one of these states, or any state when empty
     */
    Flux<String> resultAddresses(String id, List<String> states, int pageSize);

    /** How many results of address {@code ip} in scan {@code id} have each state and reason. */
    Flux<PortResult.Tally> tallies(String id, String ip);

    /**
     * The addresses and ports where scans {@code baseId} and {@code id} stored different results: a different
     * state, service, product or version, or a row in one scan only; in address-then-port order.
     */
    Flux<PortResult.Pair> differences(String baseId, String id);

    /** The terminal {@code done} event of scan {@code id}; empty while it runs. */
    Mono<ScanEvent> terminal(String id);

    /** Wake-ups when scans have new rows or are asked to stop, from this replica and the others. */
    StoreSignals signals();
}
