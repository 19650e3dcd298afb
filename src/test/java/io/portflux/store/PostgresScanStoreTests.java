package io.portflux.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.ScanStatus;
import io.portflux.testing.PostgresCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

/** PostgresScanStoreTests run the store's contract on a real PostgreSQL server of their own. */
class PostgresScanStoreTests extends ScanStoreContract {

    @RegisterExtension
    static final PostgresCluster cluster = new PostgresCluster();

    @Override
    String newDatabaseUrl() throws Exception {
        String url = cluster.newDatabase();
        return url.replace("r2dbc:postgresql://", "r2dbc:postgresql://postgres@");
    }

    @Override
    boolean embedded() {
        return false;
    }

    @Test
    void aSharedStoreRecoversOnlyTheScansOfItsOwnReplica() throws Exception {
        String url = newDatabaseUrl();
        ScanStore a = store(url, "replica-a", 500);
        ScanStore b = store(url, "replica-b", 500);
        String onA = newId();
        String onB = newId();
        a.create(onA, request("127.0.0.1"), T0).block(WAIT);
        b.create(onB, request("127.0.0.1"), T0).block(WAIT);
        a.record(onA, Flux.fromIterable(scanEvents(onA, 10, null))).block(WAIT);
        b.record(onB, Flux.fromIterable(scanEvents(onB, 10, null))).block(WAIT);

        assertThat(store(url, "replica-a", 500).recover(T0).block(WAIT)).isEqualTo(1);
        assertThat(a.find(onA).block(WAIT).status()).isEqualTo(ScanStatus.INTERRUPTED);
        assertThat(a.find(onB).block(WAIT).status()).isEqualTo(ScanStatus.RUNNING);
    }
}
