package io.portflux.store;

import io.portflux.scan.ScanRequest;
import io.portflux.scan.ScanStatus;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.portflux.scan.shard.Checkpoint;
import io.portflux.scan.shard.IndexRange;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Readable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * R2dbcShardStore is the {@link ShardStore} of {@link R2dbcScanStore}, on PostgreSQL: the claims are
 * {@code SELECT … FOR UPDATE SKIP LOCKED}, and every write is one transaction that takes the range's row
 * (guarded by its holder and epoch) first and the scan's row last.
 *
 * <p>Lock order: a range's row, then its scan's row, in every transaction here; a cancel takes the scan's row
 * alone. So two of them never wait on each other in a cycle.
 */
final class R2dbcShardStore implements ShardStore {

    /**
     * A transaction that PostgreSQL rolled back for a deadlock or a serialisation failure is tried again: it failed
     * in a statement, before its commit, so nothing of it was stored.
     */
    private static final Retry RETRY = Retry.backoff(5, Duration.ofMillis(20)).filter(R2dbcShardStore::rolledBack);

    private final R2dbcScanStore store;
    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final EventCodec codec;
    private final R2dbcScanStore.Settings settings;
    private final StoreSignals signals;
    private final Scheduler scheduler;

    R2dbcShardStore(R2dbcScanStore store, DatabaseClient db, TransactionalOperator tx, EventCodec codec,
            R2dbcScanStore.Settings settings, StoreSignals signals, Scheduler scheduler) {
        this.store = store;
        this.db = db;
        this.tx = tx;
        this.codec = codec;
        this.settings = settings;
        this.signals = signals;
        this.scheduler = scheduler;
    }

    /** A write found nothing to do: the range or the scan is no longer there to write to. Rolls back. */
    private static final class Abort extends RuntimeException {
        final Outcome outcome;

        Abort(Outcome outcome) {
            super(outcome.name(), null, false, false);
            this.outcome = outcome;
        }
    }

    /** The scan's row, locked: its next event id and its sums. */
    private record Locked(boolean running, long lastSeq, long total, long scanned, long open, long closed,
            long filtered, long errors, long createdAt, long progressAt) {

        static Locked of(Readable row, boolean running, long progressAt) {
            return new Locked(running, row.get("last_seq", Long.class), row.get("total", Long.class),
                    row.get("scanned", Long.class), row.get("open_count", Long.class), row.get("closed_count", Long.class),
                    row.get("filtered_count", Long.class), row.get("error_count", Long.class),
                    row.get("created_at", Long.class), progressAt);
        }
    }

    @Override
    public boolean available() {
        return !settings.embedded();
    }

    @Override
    public Mono<Void> create(String id, ScanRequest request, Instant createdAt, String plan, List<IndexRange> ranges,
            EventData.Started started) {
        requireAvailable();
        int n = ranges.size();
        Integer[] idx = new Integer[n];
        Long[] from = new Long[n];
        Long[] to = new Long[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
            from[i] = ranges.get(i).from();
            to[i] = ranges.get(i).to();
        }
        long at = createdAt.toEpochMilli();
        DatabaseClient.GenericExecuteSpec scan = db.sql("INSERT INTO scans (id, request, target_spec, status, created_at, "
                        + "owner, distributed, plan, targets, total, last_seq, progress_at) "
                        + "VALUES ($1, $2, $3, 'running', $4, $5, TRUE, $6, $7, $8, 1, $4)")
                .bind(0, id).bind(1, codec.write(request));
        scan = request.targets() == null ? scan.bindNull(2, String.class)
                : scan.bind(2, request.targets().length() <= 4096 ? request.targets() : request.targets().substring(0, 4096));
        scan = scan.bind(3, at).bind(4, settings.replicaId()).bind(5, plan).bind(6, codec.write(started.targets()))
                .bind(7, started.total());
        return scan.fetch().rowsUpdated()
                .then(db.sql("INSERT INTO scan_shards (scan_id, idx, range_from, range_to, watermark, status) "
                                + "SELECT $1, r.idx, r.f, r.t, r.f, 'waiting' "
                                + "FROM unnest($2::int[], $3::bigint[], $4::bigint[]) AS r(idx, f, t)")
                        .bind(0, id).bind(1, idx).bind(2, from).bind(3, to).fetch().rowsUpdated())
                .then(store.insertEventArrays(id, List.of(new ScanEvent(1, started))))
                .then(store.notify(StoreSignals.EVENTS_CHANNEL, id))
                .then(store.notify(StoreSignals.SHARDS_CHANNEL, id))
                .as(tx::transactional)
                .doOnSuccess(done -> {
                    signals.changed(id);
                    signals.shardsWaiting(id);
                })
                .subscribeOn(scheduler);
    }

    /** A range row as the claim query reads it. */
    private record Candidate(String scanId, int index, long from, long to, long watermark, Checkpoint stored,
            String status, @Nullable String holder, @Nullable String lastHolder, long epoch, String plan) {}

    @Override
    public Mono<Claim> claim(Instant now, Duration lease) {
        return claim(now, lease, "sh.status = 'waiting'");
    }

    @Override
    public Mono<Claim> claimLeftOver(Instant now, Duration lease) {
        return claim(now, lease, "(sh.status = 'waiting' AND sh.last_holder IS NOT NULL)");
    }

    // Claims a range that is waiting as {@code waiting} says, or whose lease ran out.
    private Mono<Claim> claim(Instant now, Duration lease, String waiting) {
        if (!available()) {
            return Mono.empty();
        }
        // Oldest scan first, then its lowest range; a row that another replica is claiming now is skipped, not
        // waited for. A lease that ran out is as good as no holder.
        String select = "SELECT sh.scan_id, sh.idx, sh.range_from, sh.range_to, sh.watermark, sh.open_count, "
                + "sh.closed_count, sh.filtered_count, sh.error_count, sh.status, sh.holder, sh.last_holder, sh.epoch, "
                + "s.plan FROM scan_shards sh JOIN scans s ON s.id = sh.scan_id "
                + "WHERE s.status = 'running' AND s.distributed "
                + "AND (" + waiting + " OR (sh.status = 'running' AND sh.lease_until < $1)) "
                + "ORDER BY s.created_at, sh.scan_id, sh.idx LIMIT 1 FOR UPDATE OF sh SKIP LOCKED";
        return db.sql(select).bind(0, now.toEpochMilli())
                .map(row -> new Candidate(row.get("scan_id", String.class), row.get("idx", Integer.class),
                        row.get("range_from", Long.class), row.get("range_to", Long.class),
                        row.get("watermark", Long.class), counts(row, row.get("watermark", Long.class)),
                        row.get("status", String.class), row.get("holder", String.class),
                        row.get("last_holder", String.class), row.get("epoch", Long.class), row.get("plan", String.class)))
                .one()
                .flatMap(c -> {
                    boolean expired = Status.RUNNING.wireName().equals(c.status());
                    String previous = expired ? c.holder() : c.lastHolder();
                    String action = expired ? EventData.Shard.TAKEN_OVER
                            : previous != null ? EventData.Shard.RESUMED : EventData.Shard.CLAIMED;
                    long epoch = c.epoch() + 1;
                    DatabaseClient.GenericExecuteSpec update = db.sql("UPDATE scan_shards SET status = 'running', "
                                    + "holder = $1, last_holder = $2, epoch = $3, lease_until = $4 "
                                    + "WHERE scan_id = $5 AND idx = $6")
                            .bind(0, settings.replicaId());
                    update = previous == null ? update.bindNull(1, String.class) : update.bind(1, previous);
                    EventData.Shard event = new EventData.Shard(c.index(), c.from(), c.to(), c.watermark(),
                            settings.replicaId(), previous, action);
                    return update.bind(2, epoch).bind(3, now.plus(lease).toEpochMilli()).bind(4, c.scanId())
                            .bind(5, c.index())
                            .fetch().rowsUpdated()
                            .then(lock(c.scanId()))
                            .flatMap(locked -> append(c.scanId(), locked, List.of(event)))
                            .then(store.notify(StoreSignals.EVENTS_CHANNEL, c.scanId()))
                            .thenReturn(new Claim(c.scanId(), c.index(), new IndexRange(c.from(), c.to()), c.stored(),
                                    epoch, c.plan(), previous, action));
                })
                .as(tx::transactional)
                .retryWhen(RETRY)
                .onErrorResume(Abort.class, aborted -> Mono.empty())
                .doOnNext(claim -> signals.changed(claim.scanId()))
                .subscribeOn(scheduler);
    }

    @Override
    public Mono<Outcome> write(Batch b, Instant now, Duration lease, Duration progressInterval) {
        requireAvailable();
        List<EventData.Port> ports = new ArrayList<>();
        List<EventData.Service> services = new ArrayList<>();
        for (EventData event : b.events()) {
            if (event instanceof EventData.Port p) {
                ports.add(p);
            } else if (event instanceof EventData.Service s) {
                services.add(s);
            }
        }
        Checkpoint c = b.checkpoint();
        String status = b.end() == End.FINISHED ? Status.DONE.wireName()
                : b.end() == End.HANDED_BACK ? Status.WAITING.wireName() : Status.RUNNING.wireName();
        // The guard: this holder, this claim. A range taken over (or handed back and claimed again) is not ours.
        DatabaseClient.GenericExecuteSpec shard = db.sql("UPDATE scan_shards SET watermark = $1, open_count = $2, "
                        + "closed_count = $3, filtered_count = $4, error_count = $5, status = $6, lease_until = $7, "
                        + "holder = CASE WHEN $6 = 'waiting' THEN NULL ELSE holder END, "
                        + "last_holder = CASE WHEN $6 = 'waiting' THEN holder ELSE last_holder END "
                        + "WHERE scan_id = $8 AND idx = $9 AND holder = $10 AND epoch = $11 AND status = 'running'")
                .bind(0, c.watermark()).bind(1, c.open()).bind(2, c.closed()).bind(3, c.filtered()).bind(4, c.errors())
                .bind(5, status)
                .bind(6, b.end() == End.NONE ? now.plus(lease).toEpochMilli() : 0L)
                .bind(7, b.scanId()).bind(8, b.index()).bind(9, settings.replicaId()).bind(10, b.epoch());
        Mono<Outcome> work = shard.fetch().rowsUpdated()
                .flatMap(updated -> updated == 0 ? refused(b.scanId()) : insertPorts(b.scanId(), b.index(), ports))
                .flatMap(keptPorts -> updateServices(b.scanId(), services).flatMap(keptServices -> lock(b.scanId())
                        .flatMap(locked -> events(b, locked, keptPorts, keptServices, now, progressInterval)
                                .flatMap(events -> finish(b, locked, events, now)))))
                .thenReturn(Outcome.WRITTEN);
        return work.as(tx::transactional)
                .retryWhen(RETRY)
                .onErrorResume(Abort.class, aborted -> Mono.just(aborted.outcome))
                .doOnNext(outcome -> {
                    if (outcome == Outcome.WRITTEN) {
                        signals.changed(b.scanId());
                        if (b.end() == End.HANDED_BACK) {
                            signals.shardsWaiting(b.scanId());
                        }
                    }
                })
                .subscribeOn(scheduler);
    }

    // The events this batch appends, in order: the ports stored now, their services, the range's own event, a
    // progress event when one is due, and done when this was the scan's last range.
    private Mono<List<EventData>> events(Batch b, Locked locked, Set<String> keptPorts, Set<String> keptServices,
            Instant now, Duration progressInterval) {
        List<EventData> events = new ArrayList<>();
        for (EventData event : b.events()) {
            if (event instanceof EventData.Port p && keptPorts.contains(key(p.ip(), p.port()))) {
                events.add(p);
            } else if (event instanceof EventData.Service s && keptServices.contains(key(s.ip(), s.port()))) {
                events.add(s);
            }
        }
        if (b.end() != End.NONE) {
            events.add(new EventData.Shard(b.index(), b.range().from(), b.range().to(), b.checkpoint().watermark(),
                    settings.replicaId(), null,
                    b.end() == End.FINISHED ? EventData.Shard.FINISHED : EventData.Shard.HANDED_BACK));
        }
        Checkpoint d = delta(b);
        long scanned = locked.scanned() + d.scanned();
        Mono<Long> remaining = b.end() == End.FINISHED
                ? db.sql("SELECT COUNT(*) FROM scan_shards WHERE scan_id = $1 AND status <> 'done'").bind(0, b.scanId())
                        .map(row -> row.get(0, Long.class)).one()
                : Mono.just(-1L);
        return remaining.flatMap(left -> {
            boolean last = left == 0;
            boolean progressDue = last || now.toEpochMilli() - locked.progressAt() >= progressInterval.toMillis();
            if (!progressDue) {
                return Mono.just(events);
            }
            return summary(b.scanId()).flatMap(counts -> {
                long elapsed = Math.max(0, now.toEpochMilli() - locked.createdAt());
                events.add(progress(locked.total(), new Checkpoint(scanned, locked.open() + d.open(),
                        locked.closed() + d.closed(), locked.filtered() + d.filtered(), locked.errors() + d.errors()),
                        elapsed, !last, counts));
                if (!last) {
                    return Mono.just(events);
                }
                return store.openPorts(List.of(b.scanId())).map(open -> {
                    events.add(new EventData.Done(ScanStatus.COMPLETED.wireName(), scanned, locked.total(),
                            locked.open() + d.open(), locked.closed() + d.closed(), locked.filtered() + d.filtered(),
                            locked.errors() + d.errors(), elapsed, open.getOrDefault(b.scanId(), List.of()), null));
                    return events;
                });
            });
        });
    }

    // The scan's row after this batch: its sums, its next event id, and its status once done; then the events.
    private Mono<Void> finish(Batch b, Locked locked, List<EventData> events, Instant now) {
        Checkpoint d = delta(b);
        EventData.Progress progress = null;
        EventData.Done done = null;
        for (EventData event : events) {
            if (event instanceof EventData.Progress p) {
                progress = p;
            } else if (event instanceof EventData.Done x) {
                done = x;
            }
        }
        StringBuilder sql = new StringBuilder("UPDATE scans SET last_seq = $2, scanned = scanned + $3, "
                + "open_count = open_count + $4, closed_count = closed_count + $5, "
                + "filtered_count = filtered_count + $6, error_count = error_count + $7");
        List<Object> args = new ArrayList<>(List.of(b.scanId(), locked.lastSeq() + events.size(), d.scanned(),
                d.open(), d.closed(), d.filtered(), d.errors()));
        if (progress != null) {
            args.add(now.toEpochMilli());
            args.add(progress.rate());
            args.add(progress.elapsedMs());
            sql.append(", progress_at = $8, rate = $9, elapsed_ms = $10");
            if (done == null && progress.etaMs() != null) {
                args.add(progress.etaMs());
                sql.append(", eta_ms = $11");
            } else {
                sql.append(", eta_ms = NULL");
            }
        }
        if (done != null) {
            args.add(done.status());
            sql.append(", status = $").append(args.size());
            args.add(locked.createdAt() + done.elapsedMs());
            sql.append(", finished_at = $").append(args.size());
        }
        DatabaseClient.GenericExecuteSpec update = db.sql(sql.append(" WHERE id = $1").toString());
        for (int i = 0; i < args.size(); i++) {
            update = update.bind(i, args.get(i));
        }
        return update.fetch().rowsUpdated()
                .then(events.isEmpty() ? Mono.empty() : store.insertEventArrays(b.scanId(), numbered(locked, events)).then())
                .then(events.isEmpty() ? Mono.empty() : store.notify(StoreSignals.EVENTS_CHANNEL, b.scanId()))
                .then(b.end() == End.HANDED_BACK ? store.notify(StoreSignals.SHARDS_CHANNEL, b.scanId()) : Mono.empty());
    }

    // A write whose range row refused it: the scan has ended (a cancel ends its ranges too), or another holder has it.
    private Mono<Set<String>> refused(String id) {
        return db.sql("SELECT status FROM scans WHERE id = $1").bind(0, id)
                .map(row -> ScanStatus.RUNNING.wireName().equals(row.get("status", String.class)))
                .one()
                .defaultIfEmpty(false)
                .flatMap(running -> Mono.error(new Abort(running ? Outcome.LOST : Outcome.ENDED)));
    }

    // Takes the scan's row (the last lock of every transaction here); a scan that has ended aborts the write. FOR NO
    // KEY UPDATE, the lock an UPDATE of its other columns takes: it does not conflict with the key-share lock that
    // the foreign keys of the results and events inserted before take on the same row (FOR UPDATE would, and two
    // writers holding key-share locks deadlocked on it).
    private Mono<Locked> lock(String id) {
        return db.sql("SELECT last_seq, status, total, scanned, open_count, closed_count, filtered_count, error_count, "
                        + "created_at, progress_at FROM scans WHERE id = $1 FOR NO KEY UPDATE")
                .bind(0, id)
                .map(row -> Locked.of(row, ScanStatus.RUNNING.wireName().equals(row.get("status", String.class)),
                        row.get("progress_at", Long.class)))
                .one()
                .filter(Locked::running)
                .switchIfEmpty(Mono.error(() -> new Abort(Outcome.ENDED)));
    }

    // Appends events after the locked row's last id (the claim's own event).
    private Mono<Void> append(String id, Locked locked, List<EventData> events) {
        return db.sql("UPDATE scans SET last_seq = $1 WHERE id = $2").bind(0, locked.lastSeq() + events.size())
                .bind(1, id).fetch().rowsUpdated()
                .then(store.insertEventArrays(id, numbered(locked, events)))
                .then();
    }

    private static List<ScanEvent> numbered(Locked locked, List<EventData> events) {
        List<ScanEvent> numbered = new ArrayList<>(events.size());
        long seq = locked.lastSeq();
        for (EventData event : events) {
            numbered.add(new ScanEvent(++seq, event));
        }
        return numbered;
    }

    // The scan's progress from the sums of its verdicts (scanned is their total); an eta only while it goes on.
    private static EventData.Progress progress(long total, Checkpoint sums, long elapsed, boolean goesOn,
            EventData.ShardCounts counts) {
        long scanned = sums.scanned();
        double rate = elapsed == 0 ? 0 : scanned * 1000.0 / elapsed;
        Long eta = goesOn && rate > 0 ? Math.round((total - scanned) * 1000.0 / rate) : null;
        double percent = total == 0 ? 100 : Math.round(scanned * 10000.0 / total) / 100.0;
        return new EventData.Progress(scanned, total, sums.open(), sums.closed(), sums.filtered(), sums.errors(),
                percent, Math.round(rate * 10) / 10.0, elapsed, eta, 0, counts);
    }

    private static Checkpoint delta(Batch b) {
        Checkpoint c = b.checkpoint();
        Checkpoint w = b.written();
        return new Checkpoint(c.watermark(), c.open() - w.open(), c.closed() - w.closed(), c.filtered() - w.filtered(),
                c.errors() - w.errors());
    }

    // Stores the results that no holder stored before; emits the keys stored now. A port probed again after a
    // takeover keeps its first result, and its second event is not appended.
    private Mono<Set<String>> insertPorts(String id, int shard, List<EventData.Port> ports) {
        if (ports.isEmpty()) {
            return Mono.just(Set.of());
        }
        return R2dbcScanStore.portArrays(db, id, ports, shard, " RETURNING ip, port")
                .map(row -> key(row.get("ip", String.class), row.get("port", Integer.class)))
                .all()
                .collect(HashSet::new, Set::add);
    }

    // Adds what detection found to results that have no detection yet; emits the keys updated now.
    private Mono<Set<String>> updateServices(String id, List<EventData.Service> services) {
        if (services.isEmpty()) {
            return Mono.just(Set.of());
        }
        int n = services.size();
        String[] ip = new String[n];
        Integer[] port = new Integer[n];
        String[] service = new String[n];
        String[] product = new String[n];
        String[] version = new String[n];
        String[] method = new String[n];
        for (int i = 0; i < n; i++) {
            EventData.Service s = services.get(i);
            ip[i] = s.ip();
            port[i] = s.port();
            service[i] = s.service();
            product[i] = s.product();
            version[i] = s.version();
            method[i] = s.method();
        }
        return db.sql("UPDATE port_results p SET service = u.service, product = u.product, version = u.version, "
                        + "method = u.method FROM unnest($2::varchar[], $3::int[], $4::varchar[], $5::varchar[], "
                        + "$6::varchar[], $7::varchar[]) AS u(ip, port, service, product, version, method) "
                        + "WHERE p.scan_id = $1 AND p.ip = u.ip AND p.port = u.port AND p.method IS NULL "
                        + "RETURNING p.ip, p.port")
                .bind(0, id).bind(1, ip).bind(2, port).bind(3, service).bind(4, product).bind(5, version)
                .bind(6, method)
                .map(row -> key(row.get("ip", String.class), row.get("port", Integer.class)))
                .all()
                .collect(HashSet::new, Set::add);
    }

    @Override
    public Flux<EventData.Port> undetected(String scanId, int index) {
        if (!available()) {
            return Flux.empty();
        }
        return db.sql("SELECT ip, port, host, state, reason, service, rtt_ms FROM port_results "
                        + "WHERE scan_id = $1 AND shard_idx = $2 AND state = 'open' AND method IS NULL "
                        + "ORDER BY ip, port")
                .bind(0, scanId).bind(1, index)
                .map(row -> new EventData.Port(row.get("host", String.class), row.get("ip", String.class),
                        row.get("port", Integer.class), row.get("state", String.class), row.get("reason", String.class),
                        row.get("service", String.class), row.get("rtt_ms", Double.class)))
                .all()
                .subscribeOn(scheduler);
    }

    @Override
    public Mono<Long> renew(List<Held> held, Instant now, Duration lease) {
        if (held.isEmpty() || !available()) {
            return Mono.just(0L);
        }
        int n = held.size();
        String[] scan = new String[n];
        Integer[] idx = new Integer[n];
        Long[] epoch = new Long[n];
        for (int i = 0; i < n; i++) {
            scan[i] = held.get(i).scanId();
            idx[i] = held.get(i).index();
            epoch[i] = held.get(i).epoch();
        }
        return db.sql("UPDATE scan_shards SET lease_until = $1 WHERE holder = $2 AND status = 'running' "
                        + "AND (scan_id, idx, epoch) IN (SELECT * FROM unnest($3::varchar[], $4::int[], $5::bigint[]))")
                .bind(0, now.plus(lease).toEpochMilli()).bind(1, settings.replicaId())
                .bind(2, scan).bind(3, idx).bind(4, epoch)
                .fetch().rowsUpdated()
                .subscribeOn(scheduler);
    }

    @Override
    public Mono<Boolean> cancel(String id, String message, Instant now) {
        requireAvailable();
        // The ranges first, the scan's row last (the lock order of every transaction here): the ranges not done are
        // cancelled, so that the shards figure of a scan that is over shows none running or waiting. A range whose
        // holder is writing now is waited for; that write then finds the scan still running and commits first, and
        // the holder's next write is refused (its range is no longer running).
        Mono<Boolean> work = db.sql("UPDATE scan_shards SET status = 'cancelled', lease_until = 0, "
                        + "last_holder = COALESCE(holder, last_holder), holder = NULL "
                        + "WHERE scan_id = $1 AND status IN ('waiting', 'running')")
                .bind(0, id)
                .fetch().rowsUpdated()
                .then(db.sql("SELECT last_seq, status, distributed, total, scanned, open_count, closed_count, "
                                + "filtered_count, error_count, created_at FROM scans WHERE id = $1 FOR NO KEY UPDATE")
                        .bind(0, id)
                        .map(row -> Locked.of(row, ScanStatus.RUNNING.wireName().equals(row.get("status", String.class))
                                && Boolean.TRUE.equals(row.get("distributed", Boolean.class)), 0L))
                        .one())
                .filter(Locked::running)
                .flatMap(locked -> Mono.zip(store.openPorts(List.of(id)), summary(id)).flatMap(found -> {
                    long elapsed = Math.max(0, now.toEpochMilli() - locked.createdAt());
                    EventData.Progress last = progress(locked.total(), new Checkpoint(locked.scanned(), locked.open(),
                            locked.closed(), locked.filtered(), locked.errors()), elapsed, false, found.getT2());
                    EventData.Done done = new EventData.Done(ScanStatus.CANCELLED.wireName(), locked.scanned(),
                            locked.total(), locked.open(), locked.closed(), locked.filtered(), locked.errors(), elapsed,
                            found.getT1().getOrDefault(id, List.of()), message);
                    return db.sql("UPDATE scans SET status = 'cancelled', message = $1, finished_at = $2, "
                                    + "elapsed_ms = $3, eta_ms = NULL, last_seq = $4 WHERE id = $5")
                            .bind(0, message).bind(1, locked.createdAt() + elapsed).bind(2, elapsed)
                            .bind(3, locked.lastSeq() + 2).bind(4, id)
                            .fetch().rowsUpdated()
                            .then(store.insertEventArrays(id, numbered(locked, List.of(last, done))))
                            .then(store.notify(StoreSignals.EVENTS_CHANNEL, id))
                            .then(store.notify(StoreSignals.CANCELS_CHANNEL, id))
                            .thenReturn(true);
                }))
                .defaultIfEmpty(false);
        return work.as(tx::transactional)
                // Two statements that each lock several range rows (this one and a holder's renewal) can deadlock;
                // PostgreSQL rolls one back, and a cancel rolled back is tried again.
                .retryWhen(RETRY)
                .doOnNext(cancelled -> {
                    if (cancelled) {
                        signals.changed(id);
                        signals.cancelRequested(id);
                    }
                })
                .subscribeOn(scheduler);
    }

    @Override
    public Mono<Integer> liveReplicas(Instant cutoff) {
        if (!available()) {
            return Mono.just(1);
        }
        return db.sql("SELECT COUNT(*) FROM replicas WHERE seen_at >= $1").bind(0, cutoff.toEpochMilli())
                .map(row -> row.get(0, Long.class).intValue()).one()
                .subscribeOn(scheduler);
    }

    @Override
    public Mono<EventData.ShardCounts> summary(String id) {
        if (!available()) {
            return Mono.empty();
        }
        return db.sql("SELECT status, holder FROM scan_shards WHERE scan_id = $1").bind(0, id)
                .map(row -> new String[] {row.get("status", String.class), row.get("holder", String.class)})
                .all()
                .collectList()
                .filter(rows -> !rows.isEmpty())
                .map(rows -> {
                    int done = 0;
                    int running = 0;
                    int waiting = 0;
                    int cancelled = 0;
                    Set<String> holders = new TreeSet<>();
                    for (String[] row : rows) {
                        if (Status.DONE.wireName().equals(row[0])) {
                            done++;
                        } else if (Status.RUNNING.wireName().equals(row[0])) {
                            running++;
                            if (row[1] != null) {
                                holders.add(row[1]);
                            }
                        } else if (Status.CANCELLED.wireName().equals(row[0])) {
                            cancelled++;
                        } else {
                            waiting++;
                        }
                    }
                    return new EventData.ShardCounts(done, running, waiting, cancelled, List.copyOf(holders));
                })
                .subscribeOn(scheduler);
    }

    private static Checkpoint counts(Readable row, long watermark) {
        return new Checkpoint(watermark, row.get("open_count", Long.class), row.get("closed_count", Long.class),
                row.get("filtered_count", Long.class), row.get("error_count", Long.class));
    }

    private static boolean rolledBack(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof R2dbcException r2dbc && ("40P01".equals(r2dbc.getSqlState())
                    || "40001".equals(r2dbc.getSqlState()))) {
                return true;
            }
        }
        return false;
    }

    private static String key(String ip, int port) {
        return ip + " " + port;
    }

    private void requireAvailable() {
        if (!available()) {
            throw new IllegalStateException("distributed scans need PostgreSQL; the embedded store runs scans alone");
        }
    }
}
