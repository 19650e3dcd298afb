package io.portflux.scan.event;

import inet.ipaddr.IPAddressString;
import io.portflux.target.ResolvedTarget;
import java.util.Comparator;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** EventData is the payload of a scan event; each kind carries the fields of the HTTP contract. */
public sealed interface EventData {

    /** The wire name of this kind of event. */
    String eventName();

    /** The scan has been planned and its probes start now. */
    record Started(
            String scanId,
            List<ResolvedTarget> targets,
            int ports,
            long total,
            int concurrency,
            long timeoutMs,
            int retries,
            @Nullable Integer rate,
            String report,
            String order,
            long seed,
            Instant startedAt)
            implements EventData {
        public Started {
            Objects.requireNonNull(scanId, "scanId");
            targets = List.copyOf(targets);
            Objects.requireNonNull(startedAt, "startedAt");
        }

        @Override
        public String eventName() {
            return "started";
        }

        /** When the scan that began at {@link #startedAt()} ended with {@code done}, to the millisecond. */
        public Instant endedAt(Done done) {
            return startedAt.truncatedTo(ChronoUnit.MILLIS).plusMillis(done.elapsedMs());
        }
    }

    /** One port of one host got its final state. */
    record Port(@Nullable String host, String ip, int port, String state, String reason, @Nullable String service,
            @Nullable Double rttMs)
            implements EventData {
        public Port {
            Objects.requireNonNull(ip, "ip");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String eventName() {
            return "port";
        }
    }

    /**
     * What speaks on an open port, sent after that port's {@code port} event once detection is over.
     * {@code method} is {@code probed} when a conversation found it, {@code table} when {@code service} is
     * only the port table's guess (the port stayed silent to every probe, or detection left it alone).
     */
    record Service(@Nullable String host, String ip, int port, @Nullable String service, @Nullable String product,
            @Nullable String version, @Nullable String banner, @Nullable Tls tls, String method)
            implements EventData {
        public static final String PROBED = "probed";
        public static final String TABLE = "table";

        public Service {
            Objects.requireNonNull(ip, "ip");
            Objects.requireNonNull(method, "method");
        }

        @Override
        public String eventName() {
            return "service";
        }
    }

    /**
     * A TLS session as a detection saw it: protocol version, the peer certificate's subject and subject
     * alternative names, and the application protocol the server chose (ALPN), if any.
     */
    record Tls(String version, @Nullable String subject, List<String> sans, @Nullable String alpn) {
        public Tls {
            Objects.requireNonNull(version, "version");
            sans = sans == null ? List.of() : List.copyOf(sans);
        }
    }

    /**
     * A conflated view of the counters while the scan runs; {@code detecting} counts open ports whose
     * service detection has not finished yet.
     */
    record Progress(
            long scanned,
            long total,
            long open,
            long closed,
            long filtered,
            long errors,
            double percent,
            double rate,
            long elapsedMs,
            @Nullable Long etaMs,
            long detecting,
            @Nullable ShardCounts shards)
            implements EventData {

        /** Progress with no detection pending. */
        public Progress(long scanned, long total, long open, long closed, long filtered, long errors, double percent,
                double rate, long elapsedMs, @Nullable Long etaMs) {
            this(scanned, total, open, closed, filtered, errors, percent, rate, elapsedMs, etaMs, 0);
        }

        /** Progress of a scan that one replica runs alone: no {@code shards} figure. */
        public Progress(long scanned, long total, long open, long closed, long filtered, long errors, double percent,
                double rate, long elapsedMs, @Nullable Long etaMs, long detecting) {
            this(scanned, total, open, closed, filtered, errors, percent, rate, elapsedMs, etaMs, detecting, null);
        }

        @Override
        public String eventName() {
            return "progress";
        }
    }

    /**
     * Where the ranges of a scan that several replicas share stand: finished, held by a replica now, waiting for
     * one, and cancelled (not done when the scan was cancelled; once a scan is over, none runs or waits);
     * {@code replicas} names the replicas that hold ranges now. {@code cancelled} is never null: a figure stored
     * before ranges could be cancelled has none.
     */
    record ShardCounts(int done, int running, int waiting, @Nullable Integer cancelled, List<String> replicas) {
        public ShardCounts {
            cancelled = cancelled == null ? 0 : cancelled;
            replicas = replicas == null ? List.of() : List.copyOf(replicas);
        }
    }

    /**
     * A range of a scan that several replicas share changed hands: {@code action} is {@code claimed} (a replica
     * starts it), {@code taken-over} (its holder's lease ran out, and another replica resumes it from its
     * watermark), {@code resumed} (its holder handed it back, e.g. at shutdown, and another resumes it),
     * {@code handed-back} or {@code finished}.
     *
     * @param shard the range's number, from 0
     * @param from first position of the range in the scan's probe order
     * @param to the position after its last
     * @param watermark every position below it has its verdict (and is counted)
     * @param replica the replica that did this
     * @param previous the range's holder before, for a takeover or a resume
     */
    record Shard(int shard, long from, long to, long watermark, String replica, @Nullable String previous,
            String action) implements EventData {
        public static final String CLAIMED = "claimed";
        public static final String TAKEN_OVER = "taken-over";
        public static final String RESUMED = "resumed";
        public static final String HANDED_BACK = "handed-back";
        public static final String FINISHED = "finished";

        public Shard {
            Objects.requireNonNull(replica, "replica");
            Objects.requireNonNull(action, "action");
        }

        @Override
        public String eventName() {
            return "shard";
        }
    }

    /** The terminal event; {@code status} is {@code completed}, {@code cancelled} or {@code failed}. */
    record Done(
            String status,
            long scanned,
            long total,
            long open,
            long closed,
            long filtered,
            long errors,
            long elapsedMs,
            List<OpenPort> openPorts,
            @Nullable String message)
            implements EventData {
        public Done {
            Objects.requireNonNull(status, "status");
            openPorts = List.copyOf(openPorts);
        }

        @Override
        public String eventName() {
            return "done";
        }
    }

    /**
     * An open port as listed in the {@code done} event and in snapshots: with the detected service, product,
     * version and {@code method} once its {@code service} event is out, else the port table's name.
     */
    record OpenPort(@Nullable String host, String ip, int port, @Nullable String service, @Nullable String product,
            @Nullable String version, @Nullable String method) {

        /** Numeric address order (127.0.0.2 before 127.0.0.10), not the order of the strings, then port order. */
        public static final Comparator<OpenPort> BY_ADDRESS_THEN_PORT = Comparator
                .comparing((OpenPort p) -> new IPAddressString(p.ip()).getAddress())
                .thenComparingInt(OpenPort::port);

        public OpenPort {
            Objects.requireNonNull(ip, "ip");
        }

        /** An open port known only by the port table's name (no detection result yet). */
        public OpenPort(@Nullable String host, String ip, int port, @Nullable String service) {
            this(host, ip, port, service, null, null, null);
        }

        /** This port as its {@code service} event describes it. */
        public OpenPort with(Service s) {
            return new OpenPort(host, ip, port, s.service(), s.product(), s.version(), s.method());
        }

        /** The key of this port in a scan: address and port. */
        public String key() {
            return ip + " " + port;
        }
    }
}
