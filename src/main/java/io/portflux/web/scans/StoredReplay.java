package io.portflux.web.scans;

import io.portflux.scan.ScanStatus;
import io.portflux.scan.event.ScanEvent;
import io.portflux.store.ScanStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * StoredReplay reads a scan's stored events after a cursor, a page at a time. The next page is read as the watcher
 * starts on the current one, and a page it has gone through is not kept: a watcher holds at most three pages of decoded
 * events, however long the scan. (Each page used to stay reachable from the chain that read the next one, so every
 * watcher replaying a 65,535-event scan from the store ended up holding all of it; five of them filled a 90 MB heap.)
 */
final class StoredReplay {

    /** One page read, and whether a next one may follow it. */
    private record Page(List<ScanEvent> events, boolean full) {}

    private StoredReplay() {}

    /**
     * The stored events of scan {@code id} after {@code cursor}, moving the cursor past each page; when a read finds
     * none and the scan has ended, its done event.
     */
    static Flux<ScanEvent> after(ScanStore store, String id, AtomicLong cursor, int pageSize) {
        return page(store, id, cursor, pageSize)
                .expand(page -> page.full() ? page(store, id, cursor, pageSize) : Mono.empty())
                .concatMapIterable(Page::events, 1);
    }

    private static Mono<Page> page(ScanStore store, String id, AtomicLong cursor, int pageSize) {
        return Mono.defer(() -> store.events(id, cursor.get(), pageSize).collectList()).flatMap(events -> {
            if (events.isEmpty()) {
                return store.find(id)
                        .flatMapMany(scan -> scan.status() == ScanStatus.RUNNING ? Flux.empty() : store.terminal(id).flux())
                        .collectList()
                        .map(terminal -> new Page(terminal, false));
            }
            cursor.set(events.get(events.size() - 1).id());
            return Mono.just(new Page(events, events.size() == pageSize));
        });
    }
}
