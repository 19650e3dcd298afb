package io.portflux.store;

import io.portflux.store.database.StoreUrls;
import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.spi.ConnectionFactories;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;

/** H2ScanStoreTests run the store's contract on the embedded database, H2 in memory in its PostgreSQL mode. */
class H2ScanStoreTests extends ScanStoreContract {

    @Override
    String newDatabaseUrl() {
        return StoreUrls.withH2Options("r2dbc:h2:mem:///store-" + UUID.randomUUID() + "?DB_CLOSE_DELAY=-1");
    }

    @Override
    boolean embedded() {
        return true;
    }

    @Test
    void theEmbeddedStoreRecoversScansOfAnyOwnerSinceOnlyOneProcessOpensIt() throws Exception {
        String url = newDatabaseUrl();
        ScanStore before = store(url, "old-host", 500);
        String id = newId();
        before.create(id, request("127.0.0.1"), T0).block(WAIT);
        before.record(id, Flux.fromIterable(scanEvents(id, 10, null))).block(WAIT);

        assertThat(store(url, "new-host", 500).recover(T0).block(WAIT)).isEqualTo(1);
    }

    @Test
    void replayPagesAreReadInPrimaryKeyOrderWithoutASort() {
        String url = newDatabaseUrl();
        store(url, "replica-a", 500);
        DatabaseClient db = DatabaseClient.create(ConnectionFactories.get(url));
        for (String sql : new String[] {R2dbcScanStore.EVENTS_PAGE, R2dbcScanStore.TERMINAL_EVENT}) {
            String plan = db.sql("EXPLAIN " + sql.replace("$1", "'scan'").replace("$2", "0").replace("$3", "250"))
                    .map(row -> row.get(0, String.class)).one().block(WAIT);
            // Without it H2 sorted all of a scan's later events for every page (a replay was quadratic).
            assertThat(plan).as(sql).contains("PRIMARY_KEY").contains("index sorted");
        }
    }
}
