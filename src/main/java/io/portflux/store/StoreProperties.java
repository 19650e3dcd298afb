package io.portflux.store;

import io.portflux.input.Settings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * StoreProperties configure the scan store ({@code portflux.store.*}); the database itself is Spring Boot's
 * {@code spring.r2dbc.url}, {@code .username} and {@code .password}.
 *
 * @param path the directory of the embedded H2 database, used when {@code spring.r2dbc.url} is not set
 * @param replicaId this replica's name as the owner of the scans it runs; empty means the host name, or a
 *     random id when there is none
 * @param batchSize most events written in one transaction
 * @param flushInterval longest time an event waits for its batch to fill before it is written
 * @param pollInterval longest wait of a watcher of a scan that runs on another replica before it looks for new
 *     rows without a wake-up (on PostgreSQL, a notification wakes it as soon as rows are committed)
 * @param localGrace how long a finished scan's journal stays in the memory of the replica that ran it, after
 *     its last event is stored, so that watchers who come then share it rather than each read the store
 * @param leaseTime how long a replica may go without renewing its lease before the others mark its running
 *     scans interrupted; it renews five times as often
 */
@ConfigurationProperties("portflux.store")
public record StoreProperties(
        String path,
        String replicaId,
        int batchSize,
        Duration flushInterval,
        Duration pollInterval,
        Duration localGrace,
        Duration leaseTime) {

    public StoreProperties {
        Settings.notBlank("portflux.store.path", path);
        Settings.range("portflux.store.batch-size", batchSize, 1, 4000);
        Settings.required("portflux.store.flush-interval", flushInterval);
        Settings.required("portflux.store.poll-interval", pollInterval);
        Settings.required("portflux.store.local-grace", localGrace);
        Settings.required("portflux.store.lease-time", leaseTime);
    }
}
