package io.portflux.store.database;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcProperties;
import org.springframework.util.StringUtils;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * StorePool builds the store's R2DBC connection pool from Spring Boot's {@code spring.r2dbc.*} settings, with
 * one addition Boot does not expose: connections are handed to waiting callers on the store's threads.
 *
 * <p>r2dbc-h2 runs a query on the thread that subscribes to it. With reactor-pool's default hand-over, a
 * connection given back to the pool is passed to the next waiting caller on the returning thread, inside the
 * pool's drain loop, so that caller's query runs there too, and the next, and the next: when connections were
 * short, every waiting query ran one after another on one thread while the other connections sat idle (50
 * replays of a full-range scan from the embedded store: 5 of 50 done in 60 s, 33 callers waiting, 9
 * connections idle). With the store's threads as the acquisition scheduler, the drain loop only hands over.
 */
public final class StorePool {

    private StorePool() {}

    static ConnectionPool create(R2dbcProperties properties, Scheduler handOver) {
        return create(properties, handOver, Mono.empty());
    }

    /** The same pool, handing out no connection before {@code ready} completes (the schema's migration). */
    public static ConnectionPool create(R2dbcProperties properties, Scheduler handOver, Mono<Void> ready) {
        ConnectionFactoryOptions.Builder options = delegated(ConnectionFactoryOptions.parse(properties.getUrl())).mutate();
        if (StringUtils.hasText(properties.getUsername())) {
            options.option(ConnectionFactoryOptions.USER, properties.getUsername());
        }
        if (StringUtils.hasText(properties.getPassword())) {
            options.option(ConnectionFactoryOptions.PASSWORD, properties.getPassword());
        }
        properties.getProperties().forEach((key, value) -> options.option(Option.valueOf(key), value));
        R2dbcProperties.Pool pool = properties.getPool();
        ConnectionPoolConfiguration.Builder builder = ConnectionPoolConfiguration.builder(ConnectionFactories.get(options.build()))
                .name(properties.getName() == null ? "store" : properties.getName())
                .initialSize(pool.getInitialSize())
                .maxSize(pool.getMaxSize())
                .minIdle(pool.getMinIdle())
                .maxIdleTime(pool.getMaxIdleTime())
                .maxLifeTime(pool.getMaxLifeTime())
                .maxAcquireTime(pool.getMaxAcquireTime())
                .maxCreateConnectionTime(pool.getMaxCreateConnectionTime())
                .maxValidationTime(pool.getMaxValidationTime())
                .acquireRetry(pool.getAcquireRetry())
                .validationDepth(pool.getValidationDepth())
                .postAllocate(connection -> ready)
                .customizer(poolBuilder -> poolBuilder.acquisitionScheduler(handOver));
        if (StringUtils.hasText(pool.getValidationQuery())) {
            builder.validationQuery(pool.getValidationQuery());
        }
        return new ConnectionPool(builder.build());
    }

    // An r2dbc:pool:<driver>:… URL names the pooled driver in its protocol; this pool replaces r2dbc-pool's own.
    private static ConnectionFactoryOptions delegated(ConnectionFactoryOptions options) {
        if (!"pool".equals(options.getValue(ConnectionFactoryOptions.DRIVER))) {
            return options;
        }
        String[] protocol = String.valueOf(options.getRequiredValue(ConnectionFactoryOptions.PROTOCOL)).split(":", 2);
        ConnectionFactoryOptions.Builder builder = options.mutate().option(ConnectionFactoryOptions.DRIVER, protocol[0]);
        builder.option(ConnectionFactoryOptions.PROTOCOL, protocol.length == 2 ? protocol[1] : "");
        return builder.build();
    }
}
