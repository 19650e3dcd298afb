package io.portflux.results;

import io.portflux.store.PortResult;
import io.portflux.store.ScanStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * ScanExport streams a stored scan's results in one of the {@link ExportFormat}s: rows are read from the store
 * in pages as the client takes them and each is written out on its own, so no format builds its document or a
 * list of the scan's ports in memory, whatever the size of the scan.
 */
@Component
public class ScanExport {

    /** Rows read from the store at a time. */
    static final int PAGE = 1000;

    private final ScanStore store;
    private final JsonRows json;

    public ScanExport(ScanStore store, JsonMapper json) {
        this.store = store;
        this.json = new JsonRows(json);
    }

    /** The text of {@code scope}'s scan in {@code format}, in chunks. */
    public Flux<String> export(ScanScope scope, ExportFormat format) {
        String id = scope.scan().id();
        String timestamp = scope.scan().createdAt().toString();
        Flux<PortResult> rows = store.results(id, null, List.of(), PAGE);
        return switch (format) {
            case CSV -> Flux.just(CsvRows.header()).concatWith(rows.map(r -> CsvRows.row(id, timestamp, r)));
            case NDJSON -> rows.map(r -> json.port(id, timestamp, r) + "\n");
            case JSON -> Flux.just("{\"scan\":" + json.scan(scope.scan()) + ",\"ports\":[")
                    .concatWith(rows.index().map(r -> (r.getT1() == 0 ? "\n" : ",\n") + json.port(id, timestamp, r.getT2())))
                    .concatWith(Flux.just("]}\n"));
            case XML -> NmapXml.write(scope, hosts(scope));
            case GREPABLE -> NmapGrepable.write(scope, hosts(scope));
        };
    }

    /**
     * The hosts with stored results, each with its closed and filtered majorities folded (more than
     * {@link HostView#FOLD_ABOVE} ports in the state) and, after a completed {@code report=open} scan, the
     * probed ports it did not store folded as {@link ScanScope#NOT_OPEN}.
     */
    Flux<HostView> hosts(ScanScope scope) {
        String id = scope.scan().id();
        Map<String, String> names = scope.hostNames();
        return store.resultAddresses(id, List.of(), PAGE)
                .concatMap(ip -> store.tallies(id, ip).collectList().map(tallies -> view(scope, names, ip, tallies)), 1);
    }

    private HostView view(ScanScope scope, Map<String, String> names, String ip, List<PortResult.Tally> tallies) {
        Map<String, List<PortResult.Tally>> byState = new LinkedHashMap<>();
        long stored = 0;
        for (PortResult.Tally t : tallies) {
            byState.computeIfAbsent(t.state(), s -> new ArrayList<>()).add(t);
            stored += t.count();
        }
        List<HostView.Folded> folded = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        byState.forEach((state, reasons) -> {
            long count = reasons.stream().mapToLong(PortResult.Tally::count).sum();
            if (!state.equals("open") && count > HostView.FOLD_ABOVE) {
                folded.add(new HostView.Folded(state, count, reasons));
                skipped.add(state);
            }
        });
        long unstored = scope.ports().size() - stored;
        if (unstored > 0 && scope.unstoredState().isPresent()) {
            String state = scope.unstoredState().get();
            folded.add(new HostView.Folded(state, unstored,
                    List.of(new PortResult.Tally(state, HostView.UNREPORTED, unstored))));
        }
        Flux<PortResult> listed = Flux.defer(() -> store.results(scope.scan().id(), ip, skipped, PAGE));
        return new HostView(ip, names.get(ip), folded, listed);
    }

    /** Scan {@code id} from the store, or empty. */
    public Mono<ScanScope> scope(String id) {
        return store.find(id).map(ScanScope::of);
    }
}
