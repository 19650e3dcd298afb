package io.portflux.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.ScanRequest;
import io.portflux.store.database.StoreMigration;
import io.portflux.store.database.StoreUrls;
import io.r2dbc.spi.ConnectionFactories;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** ScheduleStoreTests check what the schedule store keeps: a schedule's webhook deliveries do not pile up. */
class ScheduleStoreTests {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant START = Instant.parse("2026-11-30T00:00:00Z");

    private ScheduleStore store;

    @BeforeEach
    void openStore() {
        String url = StoreUrls.withH2Options("r2dbc:h2:mem:///schedules-" + UUID.randomUUID() + "?DB_CLOSE_DELAY=-1");
        StoreMigration.start(StoreUrls.jdbc(url), null, null).await();
        store = new ScheduleStore(ConnectionFactories.get(url), JsonMapper.builder().build(), "replica-a", true);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void deliveriesThatAreOverAreKeptOnlyAsFarAsTheNewestHundredAndPendingOnesAlways() {
        String id = "s1";
        store.create(id, new ScheduleSpec("nightly", "0 * * * * *", ZoneOffset.UTC, true,
                new ScanRequest("127.0.0.1", "22", null, null, null, null, null, null, null),
                "http://127.0.0.1:9/hook"), START, START).block(WAIT);
        int runs = ScheduleStore.DELIVERIES_KEPT + 5;
        for (int i = 0; i < runs; i++) {
            Instant tick = START.plus(Duration.ofMinutes(i));
            String scan = "scan" + i;
            assertThat(store.started(new ScheduleRun(id, tick, scan, "replica-a", tick, ScheduleRun.RUNNING, null,
                    null, null, null, null)).block(WAIT)).isTrue();
            Delivery delivery = new Delivery("d" + i, id, scan, "http://127.0.0.1:9/hook", "{}", Delivery.PENDING, 0,
                    tick, null, tick, null);
            store.finished(new ScheduleRun(id, tick, scan, "replica-a", tick, "completed", tick.plusSeconds(1),
                    null, "{}", 1, null), delivery).block(WAIT);
            // The first delivery never gets through; the last three are still being tried.
            if (i > 0 && i < runs - 3) {
                store.attempted(delivery.id(), Delivery.DELIVERED, tick, null, tick.plusSeconds(2)).block(WAIT);
            }
        }
        List<String> kept = store.deliveries(id, 1000).map(Delivery::id).collectList().block(WAIT);
        assertThat(kept).hasSize(ScheduleStore.DELIVERIES_KEPT + 1)
                .contains("d0", "d5", "d" + (runs - 1))
                .doesNotContain("d1", "d2", "d3", "d4");
    }
}
