package io.portflux.store.database;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.SmartInitializingSingleton;
import reactor.core.publisher.Mono;

/**
 * StoreMigration brings the store's schema to its newest Flyway migration ({@code db/migration}) on a thread of
 * its own, while the rest of the application starts.
 *
 * <p>Spring Boot's Flyway initializer migrates on the main thread, before any bean that needs the database: about a
 * second of a start on two cores (Flyway's own start, the JDBC driver, opening the embedded database), during which
 * nothing else was built. Here the migration overlaps the building of the other beans. The store's pool hands out
 * no connection before it is done ({@link #ready()}), and once every bean is built the start waits for it
 * ({@link #afterSingletonsInstantiated()}): a failed migration still fails the start, before the server listens.
 */
public final class StoreMigration implements SmartInitializingSingleton {

    private final CompletableFuture<Void> done;

    private StoreMigration(CompletableFuture<Void> done) {
        this.done = done;
    }

    /** Starts migrating the database at the JDBC {@code url} (user and password may be null). */
    public static StoreMigration start(String url, String user, String password) {
        Objects.requireNonNull(url, "url");
        return new StoreMigration(CompletableFuture.runAsync(
                () -> Flyway.configure().dataSource(url, user, password).load().migrate(),
                task -> {
                    Thread thread = new Thread(task, "portflux-migrate");
                    thread.setDaemon(true);
                    thread.start();
                }));
    }

    /** Completes when the schema is migrated, or fails as the migration did. Cancelling it cancels nothing. */
    public Mono<Void> ready() {
        return Mono.fromFuture(done, true);
    }

    /** Waits for the migration; throws its failure. */
    public void await() {
        try {
            done.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    @Override
    public void afterSingletonsInstantiated() {
        await();
    }
}
