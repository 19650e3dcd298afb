package io.portflux.port;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Preset is a named port list that a {@code ports} entry may give instead of numbers; presets combine
 * with each other and with numbers and ranges ({@code top-1000,kubernetes,8080-8090}).
 */
public enum Preset {
    ALL("all", "every TCP port, 1-65535", () -> IntStream.rangeClosed(1, 65535).toArray()),
    WELL_KNOWN("well-known", "the well-known ports, 1-1023", () -> IntStream.rangeClosed(1, 1023).toArray()),
    TOP_100("top-100", "the 100 ports most often found open, as nmap --top-ports 100 ranks them", TopPorts::top100),
    TOP_1000("top-1000", "the 1,000 ports most often found open, as nmap --top-ports 1000 ranks them (the default)",
            TopPorts::top1000),
    KUBERNETES("kubernetes", "the Kubernetes control plane and node ports: API server, etcd, kubelet, "
            + "controller-manager, scheduler, kube-proxy, CoreDNS metrics, ingress-nginx webhook and NodePorts",
            () -> Kubernetes.PORTS.clone()),
    CLOUD_NATIVE("cloud-native", "common cloud-native service ports that nmap's top 1000 misses "
            + "(message brokers, datastores, observability, service mesh), less the kubernetes ones",
            TopPorts::cloudNative);

    private final String keyword;
    private final String description;
    private final Supplier<int[]> ports;
    /** The ports, made once on first use (a benign race: every thread makes the same array). */
    private volatile int @Nullable [] made;

    Preset(String keyword, String description, Supplier<int[]> ports) {
        this.keyword = keyword;
        this.description = description;
        this.ports = ports;
    }

    /** The name a {@code ports} entry gives, such as {@code top-1000}. */
    public String keyword() {
        return keyword;
    }

    public String description() {
        return description;
    }

    /** The preset's ports, distinct, in the preset's own order (most common first for the top lists). */
    public int[] ports() {
        return made().clone();
    }

    private int[] made() {
        int[] p = made;
        if (p == null) {
            p = ports.get();
            made = p;
        }
        return p;
    }

    /** The preset named {@code keyword}, in any case. */
    public static Optional<Preset> named(String keyword) {
        String name = keyword.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.keyword.equals(name)).findFirst();
    }

    /** Every keyword, comma-separated, for messages. */
    static String keywords() {
        return String.join(", ", Arrays.stream(values()).map(Preset::keyword).toList());
    }

    void addTo(BitSet set) {
        for (int port : made()) {
            set.set(port);
        }
    }

    /** The kubernetes preset's ports, as the issue that asked for it lists them. */
    private static final class Kubernetes {
        static final int[] PORTS = IntStream.concat(
                        IntStream.of(6443, 2379, 2380, 10250, 10257, 10259, 10249, 10255, 10256, 9153, 10254),
                        IntStream.rangeClosed(30000, 32767)) // the default NodePort range
                .toArray();
    }
}
