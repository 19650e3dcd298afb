package io.portflux.web.scans;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.portflux.store.ScanStore;
import java.lang.ref.WeakReference;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/** StoredReplayTests: a watcher replaying a long scan from the store reads it page by page and keeps no page behind. */
class StoredReplayTests {

    private static final int PAGE = 250;
    private static final int EVENTS = 8 * PAGE + 100;

    /** A store that decodes fresh events on every read, as the database stores do; it answers nothing else. */
    private static ScanStore decodingStore(AtomicLong reads) {
        return (ScanStore) Proxy.newProxyInstance(ScanStore.class.getClassLoader(), new Class<?>[] {ScanStore.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("events")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    reads.incrementAndGet();
                    long after = (Long) args[1];
                    int limit = (Integer) args[2];
                    List<ScanEvent> page = new ArrayList<>();
                    for (long id = after + 1; id <= Math.min(EVENTS, after + limit); id++) {
                        page.add(new ScanEvent(id, new EventData.Port(null, "127.0.0.1", (int) id, "closed", "conn-refused",
                                null, 0.5)));
                    }
                    return Flux.fromIterable(page);
                });
    }

    @Test
    void aWatcherHoldsNoPageItHasGoneThroughAndGetsEveryEventInOrder() throws Exception {
        AtomicLong reads = new AtomicLong();
        List<WeakReference<ScanEvent>> firstPage = new ArrayList<>();
        AtomicLong received = new AtomicLong();
        AtomicLong lastId = new AtomicLong();
        List<String> problems = new ArrayList<>();
        BaseSubscriber<ScanEvent> watcher = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                request(4 * PAGE);
            }

            @Override
            protected void hookOnNext(ScanEvent event) {
                if (event.id() != lastId.get() + 1) {
                    problems.add("event " + event.id() + " after " + lastId.get());
                }
                lastId.set(event.id());
                received.incrementAndGet();
            }
        };
        StoredReplay.after(decodingStore(reads), "scan", new AtomicLong(), PAGE)
                .doOnNext(event -> {
                    if (event.id() <= PAGE) {
                        firstPage.add(new WeakReference<>(event));
                    }
                })
                .subscribe(watcher);

        assertThat(received.get()).isEqualTo(4 * PAGE);
        assertThat(reads.get()).as("two pages read ahead at most").isLessThanOrEqualTo(6);
        // The watcher is on its fourth page: nothing may keep the first one's decoded events alive any more.
        for (int i = 0; i < 50 && firstPage.stream().anyMatch(ref -> ref.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(firstPage).hasSize(PAGE).allSatisfy(ref -> assertThat(ref.get()).isNull());

        watcher.request(Long.MAX_VALUE);
        assertThat(received.get()).isEqualTo(EVENTS);
        assertThat(watcher.isDisposed()).as("the replay completed after the short last page").isTrue();
        assertThat(problems).isEmpty();
        assertThat(reads.get()).as("nine pages, and no read after the short one").isEqualTo(9);
    }
}
