package io.portflux.store;

import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * StoreSignals wake up whoever waits on a scan's rows: a watcher of a scan that runs elsewhere when new
 * events are stored, and the owner of a scan when another replica asks to cancel it.
 *
 * <p>A signal carries only a scan id and is only a wake-up: the rows are the truth, and every waiter also
 * looks again after a while of silence, so a lost signal costs time, never an event. Within one process the
 * store signals directly. Across replicas on PostgreSQL, each replica holds one connection of its own (outside
 * the pool) that {@code LISTEN}s, and the writers' transactions {@code NOTIFY}, so a signal arrives only once
 * the rows it announces are committed.
 */
public final class StoreSignals implements AutoCloseable {

    /** The PostgreSQL channel of "scan X has new rows". */
    static final String EVENTS_CHANNEL = "portflux_events";
    /** The PostgreSQL channel of "someone asked to cancel scan X". */
    static final String CANCELS_CHANNEL = "portflux_cancels";
    /** The PostgreSQL channel of "scan X has ranges waiting for a holder". */
    static final String SHARDS_CHANNEL = "portflux_shards";

    private static final Logger log = LoggerFactory.getLogger(StoreSignals.class);

    private final Sinks.Many<String> changes = Sinks.many().multicast().directBestEffort();
    private final Sinks.Many<String> cancels = Sinks.many().multicast().directBestEffort();
    private final Sinks.Many<String> shards = Sinks.many().multicast().directBestEffort();
    private final Sinks.Empty<Void> listening = Sinks.empty();
    private volatile @Nullable Disposable listener;
    private volatile boolean listeningToOthers;

    /** Completes once signals from other replicas arrive: at once without {@link #listen}, else after LISTEN. */
    public Mono<Void> listening() {
        return Mono.defer(() -> listeningToOthers ? listening.asMono() : Mono.empty());
    }

    /** Scan ids with newly stored events, from this process and (on PostgreSQL) from every other replica. */
    public Flux<String> changes() {
        return changes.asFlux();
    }

    /** Ids of scans whose cancel was asked for, on any replica. */
    public Flux<String> cancels() {
        return cancels.asFlux();
    }

    /** Ids of distributed scans with ranges that wait for a holder (new, or handed back), on any replica. */
    public Flux<String> shards() {
        return shards.asFlux();
    }

    /** Announces, in this process, that scan {@code id} has ranges waiting for a holder. */
    void shardsWaiting(String id) {
        emit(shards, id);
    }

    /** Announces, in this process, that scan {@code id} has new rows. */
    void changed(String id) {
        emit(changes, id);
    }

    /** Announces, in this process, that scan {@code id} is asked to stop. */
    void cancelRequested(String id) {
        emit(cancels, id);
    }

    // Sinks refuse concurrent emitters; writers on several store threads take turns.
    private static void emit(Sinks.Many<String> sink, String id) {
        synchronized (sink) {
            sink.tryEmitNext(id);
        }
    }

    /**
     * Listens on PostgreSQL for the other replicas' signals over a connection of its own from {@code
     * connections} (the pool's underlying factory), reconnecting after a failure, until {@link #close()}.
     */
    void listen(ConnectionFactory connections) {
        listeningToOthers = true;
        Mono<Void> notifications = Mono.usingWhen(Mono.from(connections.create()),
                connection -> {
                    PostgresqlConnection pg = (PostgresqlConnection) connection;
                    return pg.createStatement("LISTEN " + EVENTS_CHANNEL).execute()
                            .concatWith(pg.createStatement("LISTEN " + CANCELS_CHANNEL).execute())
                            .concatWith(pg.createStatement("LISTEN " + SHARDS_CHANNEL).execute())
                            .flatMap(result -> result.getRowsUpdated())
                            .then(Mono.fromRunnable(() -> {
                                log.debug("listening for store signals");
                                listening.tryEmitEmpty();
                            }))
                            .thenMany(pg.getNotifications())
                            .doOnNext(notification -> {
                                String id = notification.getParameter();
                                if (id == null) {
                                    return;
                                }
                                if (EVENTS_CHANNEL.equals(notification.getName())) {
                                    changed(id);
                                } else if (CANCELS_CHANNEL.equals(notification.getName())) {
                                    cancelRequested(id);
                                } else if (SHARDS_CHANNEL.equals(notification.getName())) {
                                    shardsWaiting(id);
                                }
                            })
                            .then();
                },
                Connection::close);
        // The notification stream only ends when the connection does: listen again, with a backoff.
        listener = notifications
                .doOnError(error -> log.warn("store signal connection lost ({}); listening again", error.toString()))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5)))
                .repeat()
                .subscribe();
    }

    @Override
    public void close() {
        Disposable current = listener;
        if (current != null) {
            current.dispose();
        }
        changes.tryEmitComplete();
        cancels.tryEmitComplete();
        shards.tryEmitComplete();
    }
}
