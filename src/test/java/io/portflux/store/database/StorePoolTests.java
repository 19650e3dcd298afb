package io.portflux.store.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcProperties;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** StorePoolTests check the store's connection pool: Boot's settings, and hand-over on the store's threads. */
class StorePoolTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aConnectionGivenBackReachesTheNextWaitingCallerOnTheHandOverThreadsNotOnTheReturningOne() throws Exception {
        R2dbcProperties properties = new R2dbcProperties();
        properties.setUrl(StoreUrls.withH2Options("r2dbc:h2:mem:///pool-" + UUID.randomUUID() + "?DB_CLOSE_DELAY=-1"));
        properties.getPool().setInitialSize(1);
        properties.getPool().setMaxSize(1);
        Scheduler handOver = Schedulers.newBoundedElastic(2, 100, "hand-over-test");
        ConnectionPool pool = StorePool.create(properties, handOver);
        try {
            Connection held = Mono.from(pool.create()).block(WAIT);
            // The pool is empty now: this caller waits, and is served when the held connection comes back.
            CompletableFuture<String> servedOn = Mono.from(pool.create())
                    .flatMap(connection -> {
                        String thread = Thread.currentThread().getName();
                        return Mono.from(connection.close()).thenReturn(thread);
                    })
                    .toFuture();
            assertThat(pool.getMetrics().orElseThrow().pendingAcquireSize()).isEqualTo(1);

            String returning = Thread.currentThread().getName();
            Mono.from(held.close()).block(WAIT);

            // With reactor-pool's default, the waiting caller's work (an r2dbc-h2 query runs right there) ran on
            // the returning thread, inside the pool's drain loop.
            assertThat(servedOn.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                    .isNotEqualTo(returning)
                    .startsWith("hand-over-test");
        } finally {
            pool.dispose();
            handOver.dispose();
        }
    }

    @Test
    void theSettingsOfSpringR2dbcAreTheOnesThePoolUses() {
        R2dbcProperties properties = new R2dbcProperties();
        properties.setUrl(StoreUrls.withH2Options("r2dbc:pool:h2:mem:///pool-" + UUID.randomUUID() + "?DB_CLOSE_DELAY=-1"));
        properties.getPool().setInitialSize(1);
        properties.getPool().setMaxSize(3);
        Scheduler handOver = Schedulers.newBoundedElastic(2, 100, "hand-over-test");
        ConnectionPool pool = StorePool.create(properties, handOver);
        try {
            // An r2dbc:pool: URL is served by this pool, not by a second pool inside it.
            List<Connection> all = Flux.range(0, 3).flatMap(i -> pool.create()).collectList().block(WAIT);
            assertThat(all).hasSize(3).allSatisfy(c -> assertThat(c).isNotInstanceOf(ConnectionPool.class));
            assertThat(pool.getMetrics().orElseThrow().getMaxAllocatedSize()).isEqualTo(3);
            Flux.fromIterable(all).flatMap(Connection::close).blockLast(WAIT);
        } finally {
            pool.dispose();
            handOver.dispose();
        }
    }
}
