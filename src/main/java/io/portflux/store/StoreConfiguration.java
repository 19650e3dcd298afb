package io.portflux.store;

import io.r2dbc.spi.ConnectionFactory;
import java.time.Clock;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

/** StoreConfiguration wires the scan store to Spring Boot's R2DBC connection factory, after Flyway's migration. */
@Configuration(proxyBeanMethods = false)
public class StoreConfiguration {

    @Bean
    @DependsOnDatabaseInitialization
    R2dbcScanStore scanStore(ConnectionFactory connections, JsonMapper json, ObjectProvider<Clock> clock,
            StoreProperties properties, Environment environment) {
        String replica = properties.replicaId() == null || properties.replicaId().isBlank()
                ? "replica-" + UUID.randomUUID()
                : properties.replicaId();
        boolean embedded = StoreUrls.isH2(environment.getRequiredProperty("spring.r2dbc.url"));
        return new R2dbcScanStore(connections, json, clock.getIfAvailable(Clock::systemUTC),
                new R2dbcScanStore.Settings(replica, embedded, properties.batchSize(), properties.flushInterval()));
    }
}
