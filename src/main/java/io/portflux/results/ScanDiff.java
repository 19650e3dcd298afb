package io.portflux.results;

import io.portflux.port.PortList;
import io.portflux.scan.ScanStatus;
import io.portflux.store.PortResult;
import io.portflux.store.ScanQuery;
import io.portflux.store.ScanStore;
import io.portflux.store.StoredScan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * ScanDiff compares a scan with a base scan as ndiff compares two nmap runs: hosts that came up or went, and
 * ports (by address, port and protocol) whose state, service, product or version changed. A port that only one
 * of the two probed, or that one of them has no verdict for, is {@code not-comparable}, never changed. The
 * differing rows come from the database in one query; the output streams as they come.
 */
@Component
public class ScanDiff {

    /** Scans looked at per page when looking for the previous scan, and pages at most. */
    private static final int PREVIOUS_PAGE = 100;
    private static final int PREVIOUS_PAGES = 20;

    private final ScanStore store;
    private final JsonRows json;

    public ScanDiff(ScanStore store, JsonMapper json) {
        this.store = store;
        this.json = new JsonRows(json);
    }

    /**
     * The latest completed scan created before {@code scan} with the same {@code targets} text and the same
     * ports; empty when there is none.
     */
    public Mono<StoredScan> previous(ScanScope scan) {
        String targets = scan.scan().request().targets();
        if (targets == null) {
            return Mono.empty();
        }
        return Flux.range(0, PREVIOUS_PAGES)
                .concatMap(page -> store.list(new ScanQuery(ScanStatus.COMPLETED, targets.strip(), null,
                        scan.scan().createdAt(), page, PREVIOUS_PAGE)).collectList(), 1)
                .takeWhile(page -> !page.isEmpty())
                .flatMapIterable(page -> page)
                .filter(other -> !other.id().equals(scan.scan().id())
                        && targets.strip().equals(Objects.requireNonNullElse(other.request().targets(), "").strip())
                        && PortList.parse(other.request().ports()).equals(scan.ports()))
                .next();
    }

    /** The ports that differ, in address-then-port order. */
    public Flux<PortChange> changes(ScanScope base, ScanScope scan) {
        Map<String, String> names = new LinkedHashMap<>(base.hostNames());
        names.putAll(scan.hostNames());
        return store.differences(base.scan().id(), scan.scan().id())
                .<PortChange>handle((pair, sink) -> {
                    PortChange change = compare(base, scan, pair, names.get(pair.ip()));
                    if (change != null) {
                        sink.next(change);
                    }
                });
    }

    static @Nullable PortChange compare(ScanScope base, ScanScope scan, PortResult.Pair pair, @Nullable String name) {
        String ip = pair.ip();
        int port = pair.port();
        PortChange.Side a = side(base, pair.base(), ip, port);
        PortChange.Side b = side(scan, pair.scan(), ip, port);
        String note = !base.probed(ip, port) ? "not probed by the base scan"
                : !scan.probed(ip, port) ? "not probed by this scan"
                : a == null ? "the base scan has no verdict for it (it did not complete)"
                : b == null ? "this scan has no verdict for it (it did not complete)"
                : null;
        if (note != null || a == null || b == null) {
            return new PortChange(ip, name, port, "tcp", PortChange.NOT_COMPARABLE, List.of(), a, b, note);
        }
        List<String> changed = new ArrayList<>();
        if (!a.sameState(b)) {
            changed.add("state");
        }
        // A port one scan did not store has no service to compare.
        if (pair.base() != null && pair.scan() != null) {
            if (!Objects.equals(a.service(), b.service())) {
                changed.add("service");
            }
            if (!Objects.equals(a.product(), b.product())) {
                changed.add("product");
            }
            if (!Objects.equals(a.version(), b.version())) {
                changed.add("version");
            }
        }
        return changed.isEmpty() ? null : new PortChange(ip, name, port, "tcp", PortChange.CHANGED, changed, a, b, null);
    }

    // The verdict of a scan for a port: its row, "closed|filtered" for a probed port a completed report=open scan
    // did not store, or null (unknown).
    private static PortChange.@Nullable Side side(ScanScope scope, @Nullable PortResult row, String ip, int port) {
        if (row != null) {
            return PortChange.Side.of(row);
        }
        return scope.probed(ip, port) && scope.unstoredState().isPresent() ? PortChange.Side.notOpen() : null;
    }

    /** Hosts that came up in {@code scan} and hosts that went, among those both scans probed. */
    public record Hosts(List<String> appeared, List<String> gone) {
        public Hosts {
            appeared = List.copyOf(appeared);
            gone = List.copyOf(gone);
        }
    }

    /**
     * Hosts up in one scan and not the other, of those that both probed and whose scan completed. A host is up
     * when it has an open port or, when both scans reported every port, an open or closed one (an answer);
     * a {@code report=open} scan knows only its open ports.
     */
    public Mono<Hosts> hosts(ScanScope base, ScanScope scan) {
        List<String> states = base.reportAll() && scan.reportAll() ? List.of("open", "closed") : List.of("open");
        Mono<Set<String>> upBase = store.resultAddresses(base.scan().id(), states, ScanExport.PAGE).collect(HashSet::new, Set::add);
        Mono<Set<String>> upScan = store.resultAddresses(scan.scan().id(), states, ScanExport.PAGE).collect(HashSet::new, Set::add);
        return Mono.zip(upBase, upScan).map(up -> new Hosts(
                onlyIn(up.getT2(), up.getT1(), base), onlyIn(up.getT1(), up.getT2(), scan)));
    }

    // Addresses up in {@code up} but not in {@code other}, that {@code otherScope}'s completed scan probed.
    private static List<String> onlyIn(Set<String> up, Set<String> other, ScanScope otherScope) {
        boolean known = otherScope.scan().status() == ScanStatus.COMPLETED;
        return up.stream().filter(ip -> known && !other.contains(ip) && otherScope.probed(ip)).sorted().toList();
    }

    /** The diff as one JSON object, written as its ports come. */
    public Flux<String> json(ScanScope base, ScanScope scan) {
        return hosts(base, scan).flatMapMany(hosts -> Flux.defer(() -> {
            AtomicLong changed = new AtomicLong();
            AtomicLong notComparable = new AtomicLong();
            Map<String, Object> head = new LinkedHashMap<>();
            head.put("scan", summary(scan));
            head.put("base", summary(base));
            head.put("portsOnlyInBase", base.portsNotIn(scan));
            head.put("portsOnlyInScan", scan.portsNotIn(base));
            head.put("hosts", hosts);
            String open = json.write(head);
            return Flux.just(open.substring(0, open.length() - 1) + ",\"ports\":[")
                    .concatWith(changes(base, scan).index().map(indexed -> {
                        PortChange change = indexed.getT2();
                        (PortChange.CHANGED.equals(change.kind()) ? changed : notComparable).incrementAndGet();
                        return (indexed.getT1() == 0 ? "\n" : ",\n") + json.write(change);
                    }))
                    .concatWith(Mono.fromCallable(() -> "],\"summary\":" + json.write(Map.of("changed", changed.get(),
                            "notComparable", notComparable.get(), "hostsAppeared", hosts.appeared().size(),
                            "hostsGone", hosts.gone().size())) + "}\n"));
        }));
    }

    private static Map<String, Object> summary(ScanScope scope) {
        StoredScan scan = scope.scan();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", scan.id());
        out.put("status", scan.status().wireName());
        out.put("startedAt", scan.createdAt().toString());
        out.put("targets", scan.request().targets());
        out.put("ports", scope.ports().toString());
        out.put("report", scope.reportAll() ? "all" : "open");
        return out;
    }

    /**
     * The diff as text in ndiff's style: a {@code -} line for the base, a {@code +} line for the scan, then per
     * host its changed ports; not-comparable ports are marked {@code ~}, with why.
     */
    public Flux<String> text(ScanScope base, ScanScope scan) {
        return hosts(base, scan).flatMapMany(hosts -> Flux.defer(() -> {
            StringBuilder head = new StringBuilder()
                    .append('-').append(title(base)).append('\n')
                    .append('+').append(title(scan)).append('\n');
            for (String ip : hosts.gone()) {
                head.append("\n-").append(ip).append(":\n-Host is up.\n");
            }
            for (String ip : hosts.appeared()) {
                head.append("\n+").append(ip).append(":\n+Host is up.\n");
            }
            AtomicReference<String> host = new AtomicReference<>("");
            Flux<String> ports = changes(base, scan).map(change -> {
                StringBuilder out = new StringBuilder();
                if (!change.ip().equals(host.getAndSet(change.ip()))) {
                    out.append("\n ").append(change.host() == null ? change.ip() : change.host() + " (" + change.ip() + ")")
                            .append(":\n ").append(line("PORT", "STATE", "SERVICE VERSION")).append('\n');
                }
                String key = change.port() + "/" + change.protocol();
                if (PortChange.NOT_COMPARABLE.equals(change.kind())) {
                    PortChange.Side known = change.scan() != null ? change.scan() : change.base();
                    out.append('~').append(line(key, "not-comparable", change.note()
                            + (known == null ? "" : " (" + (known == change.scan() ? "here " : "in the base ") + known.state() + ")")))
                            .append('\n');
                } else {
                    out.append('-').append(line(key, change.base().state(), service(change.base()))).append('\n');
                    out.append('+').append(line(key, change.scan().state(), service(change.scan()))).append('\n');
                }
                return out.toString();
            });
            StringBuilder tail = new StringBuilder();
            String onlyBase = base.portsNotIn(scan);
            String onlyScan = scan.portsNotIn(base);
            if (onlyBase != null || onlyScan != null) {
                tail.append('\n');
            }
            if (onlyBase != null) {
                tail.append("~Ports probed by the base scan only (not comparable): ").append(onlyBase).append('\n');
            }
            if (onlyScan != null) {
                tail.append("~Ports probed by this scan only (not comparable): ").append(onlyScan).append('\n');
            }
            return Flux.just(head.toString()).concatWith(ports).concatWith(Flux.just(tail.toString()));
        }));
    }

    private static String title(ScanScope scope) {
        StoredScan scan = scope.scan();
        return "PortFlux scan " + scan.id() + " initiated " + ResultText.ctime(scan.createdAt()) + " as: "
                + ResultText.args(scan);
    }

    private static String line(String port, String state, @Nullable String rest) {
        return String.format("%-10s %-15s %s", port, state, rest == null ? "" : rest).stripTrailing();
    }

    private static String service(PortChange.Side side) {
        StringBuilder out = new StringBuilder(side.service() == null ? "" : side.service());
        for (String part : new String[] {side.product(), side.version()}) {
            if (part != null) {
                out.append(' ').append(part);
            }
        }
        return out.toString();
    }
}
