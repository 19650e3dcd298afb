package io.portflux.store.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcProperties;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * StoreMigrationTests check the schema migration that runs beside the start: the pool waits for it, the tables are
 * there when it is done, and a failed migration fails the start.
 */
class StoreMigrationTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void thePoolHandsOutNoConnectionBeforeTheMigrationIsDone() throws Exception {
        R2dbcProperties properties = new R2dbcProperties();
        properties.setUrl(StoreUrls.withH2Options("r2dbc:h2:mem:///gate-" + UUID.randomUUID() + "?DB_CLOSE_DELAY=-1"));
        Sinks.Empty<Void> migrated = Sinks.empty();
        Scheduler handOver = Schedulers.newBoundedElastic(2, 100, "gate-test");
        ConnectionPool pool = StorePool.create(properties, handOver, migrated.asMono());
        try {
            CompletableFuture<Connection> acquired = Mono.from(pool.create()).toFuture();
            // The connection itself opens at once (in-memory H2); only the migration holds it back.
            Thread.sleep(300);
            assertThat(acquired).isNotDone();
            migrated.tryEmitEmpty();
            Connection connection = acquired.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Mono.from(connection.close()).block(WAIT);
        } finally {
            pool.dispose();
            handOver.dispose();
        }
    }

    @Test
    void aMigrationBroughtToItsEndLeavesEveryTableOfTheStore() throws Exception {
        String url = "jdbc:h2:mem:migrated-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        StoreMigration migration = StoreMigration.start(url, "sa", "");
        migration.await();
        try (var connection = DriverManager.getConnection(url, "sa", "");
                var rows = connection.createStatement().executeQuery(
                        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'PUBLIC'"
                                + " AND table_name IN ('SCANS', 'SCAN_EVENTS', 'SCHEDULES', 'SCAN_SHARDS')")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(4);
        }
        assertThat(Flux.from(migration.ready()).hasElements().block(WAIT)).isFalse();
    }

    @Test
    void aFailedMigrationFailsTheStart() throws Exception {
        // A schema with a table in it but no migration history: Flyway refuses to migrate it.
        String name = "broken-" + UUID.randomUUID();
        try (var connection = DriverManager.getConnection("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", "")) {
            connection.createStatement().execute("CREATE TABLE scans (x INT)");
            SpringApplication application = new SpringApplication(io.portflux.PortFluxApplication.class);
            application.setWebApplicationType(WebApplicationType.REACTIVE);
            assertThatThrownBy(() -> application.run("--server.port=0", "--server.address=127.0.0.1",
                    "--spring.r2dbc.url=r2dbc:h2:mem:///" + name + "?DB_CLOSE_DELAY=-1", "--spring.r2dbc.username=sa"))
                    .isInstanceOf(FlywayException.class)
                    .hasMessageContaining("no schema history table");
        }
    }
}
