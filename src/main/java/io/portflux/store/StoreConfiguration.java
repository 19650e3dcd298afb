package io.portflux.store;

import io.portflux.store.database.StoreUrls;
import io.portflux.store.database.StorePool;
import io.portflux.store.database.StoreMigration;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import java.time.Clock;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * StoreConfiguration wires the scan store to its R2DBC connection pool ({@link StorePool}), which waits for the schema
 * migration ({@link StoreMigration}),
 * with the replica's lease and, on PostgreSQL, a listening connection for the other replicas' signals.
 */
@Configuration(proxyBeanMethods = false)
public class StoreConfiguration {

    // Flyway's URL and credentials are derived from spring.r2dbc.* by StoreEnvironment unless set on their own.
    @Bean
    StoreMigration storeMigration(Environment environment) {
        return StoreMigration.start(environment.getRequiredProperty("spring.flyway.url"),
                environment.getProperty("spring.flyway.user"), environment.getProperty("spring.flyway.password"));
    }

    // Named connectionFactory, as Spring Boot's own pool would be: its metrics carry that name.
    @Bean(destroyMethod = "dispose")
    ConnectionPool connectionFactory(R2dbcProperties properties, StoreMigration migration) {
        // Daemon threads that end when idle: the pool only hands connections over on them.
        return StorePool.create(properties, Schedulers.newBoundedElastic(4, 100_000, "portflux-db", 60, true),
                migration.ready());
    }

    @Bean
    StoreSignals storeSignals(ConnectionFactory connections, Environment environment) {
        StoreSignals signals = new StoreSignals();
        if (!embedded(environment)) {
            // LISTEN needs a connection of its own for as long as the process runs: not one of the pool's.
            signals.listen(connections instanceof Wrapped<?> pool && pool.unwrap() instanceof ConnectionFactory raw
                    ? raw : connections);
        }
        return signals;
    }

    @Bean
    R2dbcScanStore scanStore(ConnectionFactory connections, JsonMapper json, ObjectProvider<Clock> clock,
            StoreProperties properties, Environment environment, StoreSignals signals) {
        String replica = properties.replicaId() == null || properties.replicaId().isBlank()
                ? "replica-" + UUID.randomUUID()
                : properties.replicaId();
        return new R2dbcScanStore(connections, json, clock.getIfAvailable(Clock::systemUTC),
                new R2dbcScanStore.Settings(replica, embedded(environment), properties.batchSize(),
                        properties.flushInterval()), signals);
    }

    @Bean
    ShardStore shardStore(R2dbcScanStore store) {
        return store.shards();
    }

    @Bean
    ReplicaLease replicaLease(ScanStore store, ObjectProvider<Clock> clock, StoreProperties properties) {
        return new ReplicaLease(store, clock.getIfAvailable(Clock::systemUTC), properties.leaseTime());
    }

    private static boolean embedded(Environment environment) {
        return StoreUrls.isH2(environment.getRequiredProperty("spring.r2dbc.url"));
    }
}
