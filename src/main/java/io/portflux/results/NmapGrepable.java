package io.portflux.results;

import io.portflux.store.PortResult;
import io.portflux.store.StoredScan;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * NmapGrepable writes a scan in nmap's grepable ({@code -oG}) format: per host a {@code Status} line and a
 * {@code Ports} line of {@code port/state/protocol/owner/service/rpc/version/} entries, with the folded states as
 * {@code Ignored State}, between a header and a {@code done} comment. The Ports line is written entry by entry.
 */
final class NmapGrepable {

    private NmapGrepable() {}

    static Flux<String> write(ScanScope scope, Flux<HostView> hosts) {
        StoredScan scan = scope.scan();
        return Flux.defer(() -> {
            AtomicLong up = new AtomicLong();
            Flux<String> head = Mono.fromCallable(() -> "# PortFlux scan " + scan.id() + " initiated "
                    + ResultText.ctime(scan.createdAt()) + " as: " + ResultText.args(scan) + "\n").flux();
            Flux<String> body = hosts.concatMap(host -> {
                up.incrementAndGet();
                String prefix = "Host: " + host.ip() + " (" + (host.name() == null ? "" : clean(host.name())) + ")\t";
                AtomicBoolean first = new AtomicBoolean(true);
                return Flux.concat(
                        Mono.just(prefix + "Status: Up\n" + prefix.stripTrailing()),
                        host.listed().map(port -> (first.getAndSet(false) ? "\tPorts: " : ", ") + entry(port)),
                        Mono.fromCallable(() -> ignored(host) + "\n"));
            }, 1);
            Flux<String> tail = Mono.fromCallable(() -> "# PortFlux done at " + ResultText.ctime(ResultText.end(scan))
                    + " -- " + ResultText.summary(scan, up.get(), scope.hosts()) + "\n").flux();
            return Flux.concat(head, body, tail);
        });
    }

    private static String entry(PortResult p) {
        String version = p.product() == null ? "" : p.version() == null ? p.product() : p.product() + " " + p.version();
        return p.port() + "/" + p.state() + "/tcp//" + clean(p.service()) + "//" + clean(version) + "/";
    }

    private static String ignored(HostView host) {
        if (host.folded().isEmpty()) {
            return "";
        }
        return "\tIgnored State: " + host.folded().stream().map(f -> f.state() + " (" + f.count() + ")")
                .collect(Collectors.joining(", "));
    }

    // nmap writes a field's slashes as '|' and keeps each host on one line.
    private static String clean(@Nullable String text) {
        return text == null ? "" : text.replace('/', '|').replace(',', ' ').replaceAll("[\\t\\r\\n]", " ");
    }
}
