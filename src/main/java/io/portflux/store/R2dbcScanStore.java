package io.portflux.store;

import io.portflux.scan.ScanRequest;
import io.portflux.scan.ScanStatus;
import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Parameter;
import io.r2dbc.spi.Parameters;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.Readable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

/**
 * R2dbcScanStore keeps scans in PostgreSQL or H2 (in its PostgreSQL mode) through R2DBC, with one SQL for
 * both.
 *
 * <p>Every statement runs on the store's own threads: r2dbc-h2 blocks the thread that subscribes, and the
 * probe and HTTP event loops must never wait on a disk. Events are written in batches, each batch with its
 * port results and the scan's counters in one transaction, so a reader never sees a half-written batch.
 */
public final class R2dbcScanStore implements ScanStore, DisposableBean {

    static final String INTERRUPTED_MESSAGE = "the replica running this scan stopped before it finished";

    private static final Logger log = LoggerFactory.getLogger(R2dbcScanStore.class);
    private static final String SCAN_COLUMNS = "id, request, status, targets, total, scanned, open_count, "
            + "closed_count, filtered_count, error_count, rate, elapsed_ms, eta_ms, message, created_at, finished_at, "
            + "owner, last_seq, distributed";

    // Ordered by the primary key's own columns, scan_id first: H2 then reads the page from the index and stops
    // after it. With "ORDER BY seq" alone it sorted every later event of the scan, on disk past 40,000 rows,
    // for each page of 250, and 50 replays of a 65,535-event scan from the embedded store took minutes.
    static final String EVENTS_PAGE =
            "SELECT seq, name, data FROM scan_events WHERE scan_id = $1 AND seq > $2 ORDER BY scan_id, seq LIMIT $3";
    static final String TERMINAL_EVENT = "SELECT seq, name, data FROM scan_events WHERE scan_id = $1 AND name = 'done' "
            + "ORDER BY scan_id DESC, seq DESC LIMIT 1";

    /** Where the store's database settings come from, beyond the connection itself. */
    public record Settings(String replicaId, boolean embedded, int batchSize, Duration flushInterval) {
        public Settings {
            Objects.requireNonNull(replicaId, "replicaId");
            if (replicaId.isBlank() || replicaId.length() > 128) {
                throw new IllegalArgumentException("replicaId must have 1..128 characters: '" + replicaId + "'");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1: " + batchSize);
            }
            Objects.requireNonNull(flushInterval, "flushInterval");
        }
    }

    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final EventCodec codec;
    private final Clock clock;
    private final Settings settings;
    private final Scheduler scheduler = Schedulers.newBoundedElastic(4, 100_000, "portflux-store");
    private final StoreSignals signals;
    private final R2dbcShardStore shards;

    public R2dbcScanStore(ConnectionFactory connections, JsonMapper json, Clock clock, Settings settings,
            StoreSignals signals) {
        this.signals = signals;
        this.db = DatabaseClient.create(connections);
        this.tx = TransactionalOperator.create(new R2dbcTransactionManager(connections));
        this.codec = new EventCodec(json);
        this.clock = clock;
        this.settings = settings;
        this.shards = new R2dbcShardStore(this, db, tx, codec, settings, signals, scheduler);
    }

    /** The ranges of distributed scans, in the same database, on the same threads. */
    public ShardStore shards() {
        return shards;
    }

    @Override
    public StoreSignals signals() {
        return signals;
    }

    @Override
    public String replicaId() {
        return settings.replicaId();
    }

    @Override
    public Mono<Long> recover(Instant now) {
        return durable().then(renew(now)).then(interruptOrphans(now)).subscribeOn(scheduler);
    }

    // H2 writes a commit to its file up to 500 ms later by default, so a SIGKILL would lose the newest scans
    // and events; with no delay, a committed row survives the death of the process (the setting persists).
    //
    // r2dbc-h2 binds every String parameter as a CLOB; H2 moves a CLOB longer than MAX_LENGTH_INPLACE_LOB
    // (256 bytes by default) into its LOB storage and keeps it for the session for LOB_TIMEOUT (5 minutes):
    // a report=all scan's 65,535 events held 50 MB of heap that way and ran a 256 MiB pod out of memory.
    // Kept in place, such a value is an ordinary string until it is stored as the column's VARCHAR.
    private Mono<Void> durable() {
        return settings.embedded()
                ? db.sql("SET WRITE_DELAY 0").then().then(db.sql("SET MAX_LENGTH_INPLACE_LOB 1048576").then())
                : Mono.empty();
    }

    private Mono<Long> interruptOrphans(Instant now) {
        // A distributed scan is no one replica's: its ranges are taken over, never interrupted with their owner.
        String sql = "SELECT " + SCAN_COLUMNS + " FROM scans WHERE status = 'running' AND distributed = FALSE"
                + (settings.embedded() ? "" : " AND owner = $1");
        DatabaseClient.GenericExecuteSpec select = db.sql(sql);
        if (!settings.embedded()) {
            select = select.bind(0, settings.replicaId());
        }
        return interruptEach(select.map(this::scan).all(), now)
                .doOnNext(n -> {
                    if (n > 0) {
                        log.warn("marked {} scan(s) left running by a stopped process as interrupted", n);
                    }
                });
    }

    // Ends each of {@code scans} as interrupted, with its stored open ports; emits how many this call ended.
    private Mono<Long> interruptEach(Flux<StoredScan> scans, Instant now) {
        return scans.concatMap(scan -> openPorts(List.of(scan.id()))
                        .flatMap(ports -> interrupt(scan.withOpenPorts(ports.getOrDefault(scan.id(), List.of())), now)))
                .reduce(0L, Long::sum);
    }

    // The status changes first, guarded by status = 'running': of two replicas that notice the same dead owner
    // at once, one updates the row and appends the done event; the other finds nothing left to do.
    private Mono<Long> interrupt(StoredScan scan, Instant now) {
        long elapsed = scan.elapsedMs() == null ? 0 : scan.elapsedMs();
        EventData.Done done = new EventData.Done(ScanStatus.INTERRUPTED.wireName(), scan.scanned(), scan.total(),
                scan.open(), scan.closed(), scan.filtered(), scan.errors(), elapsed, scan.openPorts(), INTERRUPTED_MESSAGE);
        return db.sql("UPDATE scans SET status = $1, message = $2, finished_at = $3, last_seq = last_seq + 1, "
                        + "eta_ms = NULL WHERE id = $4 AND status = 'running'")
                .bind(0, ScanStatus.INTERRUPTED.wireName()).bind(1, INTERRUPTED_MESSAGE)
                .bind(2, now.toEpochMilli()).bind(3, scan.id())
                .fetch().rowsUpdated()
                .filter(updated -> updated > 0)
                .flatMap(updated -> db.sql("SELECT last_seq FROM scans WHERE id = $1").bind(0, scan.id())
                        .map(row -> row.get(0, Long.class)).one()
                        .flatMap(seq -> insertEvents(scan.id(), List.of(new ScanEvent(seq, done))))
                        .then(notifyChanged(scan.id()))
                        .thenReturn(updated))
                .as(tx::transactional)
                .doOnNext(updated -> signals.changed(scan.id()))
                .defaultIfEmpty(0L);
    }

    @Override
    public Mono<Void> renewLease(Instant now) {
        return renew(now).subscribeOn(scheduler);
    }

    private Mono<Void> renew(Instant now) {
        return db.sql("UPDATE replicas SET seen_at = $1 WHERE id = $2")
                .bind(0, now.toEpochMilli()).bind(1, settings.replicaId())
                .fetch().rowsUpdated()
                .flatMap(updated -> updated > 0 ? Mono.empty()
                        : db.sql("INSERT INTO replicas (id, seen_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                                .bind(0, settings.replicaId()).bind(1, now.toEpochMilli())
                                .fetch().rowsUpdated().then());
    }

    @Override
    public Mono<Long> interruptAbandoned(Instant cutoff, Instant now) {
        String sql = "SELECT " + SCAN_COLUMNS + " FROM scans s WHERE s.status = 'running' AND s.owner <> $1 "
                + "AND s.distributed = FALSE AND NOT EXISTS (SELECT 1 FROM replicas r WHERE r.id = s.owner AND r.seen_at >= $2)";
        Mono<Long> interrupted = interruptEach(db.sql(sql).bind(0, settings.replicaId()).bind(1, cutoff.toEpochMilli())
                        .map(this::scan).all(), now)
                .doOnNext(n -> {
                    if (n > 0) {
                        log.warn("marked {} scan(s) of replicas whose lease ended as interrupted", n);
                    }
                });
        // Replicas gone for a day are forgotten (a pod name is not reused).
        Mono<Long> forgotten = db.sql("DELETE FROM replicas WHERE seen_at < $1")
                .bind(0, now.minus(Duration.ofDays(1)).toEpochMilli()).fetch().rowsUpdated();
        return interrupted.flatMap(n -> forgotten.thenReturn(n)).subscribeOn(scheduler);
    }

    @Override
    public Mono<Boolean> requestCancel(String id) {
        return db.sql("INSERT INTO scan_cancels (scan_id, requested_at) SELECT id, $2 FROM scans "
                        + "WHERE id = $1 AND status = 'running' ON CONFLICT DO NOTHING")
                .bind(0, id).bind(1, clock.millis()).fetch().rowsUpdated()
                .flatMap(updated -> updated == 0 ? Mono.just(false)
                        : (settings.embedded() ? Mono.<Void>empty() : notify(StoreSignals.CANCELS_CHANNEL, id))
                                .thenReturn(true))
                .as(tx::transactional)
                .doOnNext(requested -> {
                    if (requested) {
                        signals.cancelRequested(id);
                    }
                })
                .subscribeOn(scheduler);
    }

    @Override
    public Flux<String> cancelRequested() {
        return db.sql("SELECT s.id FROM scans s JOIN scan_cancels c ON c.scan_id = s.id "
                        + "WHERE s.owner = $1 AND s.status = 'running'")
                .bind(0, settings.replicaId())
                .map(row -> row.get(0, String.class)).all()
                .subscribeOn(scheduler);
    }

    @Override
    public Mono<ScanEvent> terminal(String id) {
        return db.sql(TERMINAL_EVENT)
                .bind(0, id)
                .map(row -> codec.event(row.get("seq", Long.class), row.get("name", String.class), row.get("data", String.class)))
                .one()
                .subscribeOn(scheduler);
    }

    private Mono<Void> notifyChanged(String id) {
        return settings.embedded() ? Mono.empty() : notify(StoreSignals.EVENTS_CHANNEL, id);
    }

    // pg_notify in the writer's transaction: PostgreSQL delivers it only when, and if, that transaction commits.
    Mono<Void> notify(String channel, String id) {
        return db.sql("SELECT pg_notify($1, $2)").bind(0, channel).bind(1, id).then();
    }

    @Override
    public Mono<Void> create(String id, ScanRequest request, Instant createdAt) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("INSERT INTO scans (id, request, target_spec, status, "
                        + "created_at, owner) VALUES ($1, $2, $3, 'running', $4, $5)")
                .bind(0, id)
                .bind(1, codec.write(request));
        return bindOrNull(insert, 2, request.targets() == null ? null : truncate(request.targets(), 4096), String.class)
                .bind(3, createdAt.toEpochMilli())
                .bind(4, settings.replicaId())
                .fetch().rowsUpdated()
                .then()
                .subscribeOn(scheduler);
    }

    @Override
    public Mono<Void> record(String id, Flux<ScanEvent> events) {
        ScanRow row = new ScanRow();
        // The unbounded buffer takes each event off the emitting (probe) thread at the cost of one queue
        // offer; it holds no more than the scan's own journal does while the database catches up.
        return events.onBackpressureBuffer()
                .publishOn(scheduler)
                .bufferTimeout(settings.batchSize(), settings.flushInterval(), scheduler, true)
                .concatMap(batch -> {
                    boolean done = false;
                    for (ScanEvent event : batch) {
                        done |= row.apply(event);
                    }
                    return writeBatch(id, batch, row, done)
                            .retryWhen(Retry.backoff(3, Duration.ofMillis(100)))
                            .onErrorResume(error -> {
                                log.error("scan {}: {} event(s) could not be stored", id, batch.size(), error);
                                return Mono.empty();
                            });
                }, 1)
                .then();
    }

    private Mono<Void> writeBatch(String id, List<ScanEvent> batch, ScanRow row, boolean done) {
        List<EventData.Port> ports = new ArrayList<>();
        List<EventData.Service> services = new ArrayList<>();
        for (ScanEvent event : batch) {
            if (event.data() instanceof EventData.Port p) {
                ports.add(p);
            } else if (event.data() instanceof EventData.Service s) {
                services.add(s);
            }
        }
        DatabaseClient.GenericExecuteSpec update = db.sql("UPDATE scans SET status = $1, targets = COALESCE($2, targets), "
                        + "total = $3, scanned = $4, open_count = $5, closed_count = $6, filtered_count = $7, error_count = $8, "
                        + "rate = $9, elapsed_ms = $10, eta_ms = $11, message = $12, finished_at = $13, last_seq = $14 "
                        + "WHERE id = $15 AND status = 'running'")
                .bind(0, row.status.wireName());
        update = bindOrNull(update, 1, row.targets == null ? null : codec.write(row.targets), String.class)
                .bind(2, row.total).bind(3, row.scanned).bind(4, row.open).bind(5, row.closed)
                .bind(6, row.filtered).bind(7, row.errors);
        update = bindOrNull(update, 8, row.rate, Double.class);
        update = bindOrNull(update, 9, row.elapsedMs, Long.class);
        update = bindOrNull(update, 10, row.etaMs, Long.class);
        update = bindOrNull(update, 11, row.message, String.class);
        update = bindOrNull(update, 12, !done ? null : row.finishedAt != null ? row.finishedAt.toEpochMilli() : clock.millis(), Long.class)
                .bind(13, row.lastSeq).bind(14, id);
        Mono<Long> scanRow = update.fetch().rowsUpdated();
        // The guarded update first: once the scan has been ended elsewhere, nothing more of it is stored.
        return scanRow
                .flatMap(updated -> updated == 0 ? Mono.just(updated)
                        : insertEvents(id, batch).then(insertPorts(id, ports))
                                .then(updateServices(id, services)).then(notifyChanged(id)).thenReturn(updated))
                .as(tx::transactional)
                .doOnNext(updated -> {
                    signals.changed(id);
                    if (updated == 0) {
                        // Another replica took this replica for dead and ended the scan as interrupted: stop it.
                        log.warn("scan {} was ended elsewhere (interrupted) while it ran here; stopping it", id);
                        signals.cancelRequested(id);
                    }
                })
                .then();
    }

    // One prepared statement per batch, with a set of bindings per row: H2 parses it once, and PostgreSQL
    // gets the rows pipelined.
    private Mono<Long> insertEvents(String id, List<ScanEvent> events) {
        if (!settings.embedded()) {
            return insertEventArrays(id, events);
        }
        List<Object[]> rows = new ArrayList<>(events.size());
        for (ScanEvent event : events) {
            rows.add(new Object[] {id, event.id(), event.name(), codec.write(event.data())});
        }
        return insertAll("INSERT INTO scan_events (scan_id, seq, name, data) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                rows);
    }

    private Mono<Long> insertPorts(String id, List<EventData.Port> ports) {
        if (ports.isEmpty()) {
            return Mono.just(0L);
        }
        if (!settings.embedded()) {
            return insertPortArrays(id, ports);
        }
        List<Object[]> rows = new ArrayList<>(ports.size());
        for (EventData.Port p : ports) {
            rows.add(new Object[] {id, p.ip(), p.port(), nullable(p.host(), String.class), p.state(), p.reason(),
                nullable(p.service(), String.class), nullable(p.rttMs(), Double.class)});
        }
        return insertAll("INSERT INTO port_results (scan_id, ip, port, host, state, reason, service, rtt_ms) "
                + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING", rows);
    }

    // On PostgreSQL a batch is one statement whatever its size: its columns go as arrays and unnest() turns them
    // into rows. One binding set per row cost PostgreSQL a parse-free but still per-row execute, about 10,000
    // rows a second here, and kept the scan's row locked by the writer for seconds under load.
    Mono<Long> insertEventArrays(String id, List<ScanEvent> events) {
        int n = events.size();
        Long[] seq = new Long[n];
        String[] name = new String[n];
        String[] data = new String[n];
        for (int i = 0; i < n; i++) {
            ScanEvent event = events.get(i);
            seq[i] = event.id();
            name[i] = event.name();
            data[i] = codec.write(event.data());
        }
        return db.sql("INSERT INTO scan_events (scan_id, seq, name, data) SELECT $1, e.seq, e.name, e.data "
                        + "FROM unnest($2::bigint[], $3::varchar[], $4::varchar[]) AS e(seq, name, data) "
                        + "ON CONFLICT DO NOTHING")
                .bind(0, id).bind(1, seq).bind(2, name).bind(3, data)
                .fetch().rowsUpdated();
    }

    private Mono<Long> insertPortArrays(String id, List<EventData.Port> ports) {
        return portArrays(db, id, ports, null, "").fetch().rowsUpdated();
    }

    /**
     * One {@code INSERT … SELECT FROM unnest(arrays)} of {@code ports} into {@code port_results} on PostgreSQL, keeping
     * a port's first result, stored by range {@code shard} of a shared scan (null for a scan one replica runs);
     * {@code tail} follows {@code ON CONFLICT DO NOTHING} (a {@code RETURNING} clause).
     */
    static DatabaseClient.GenericExecuteSpec portArrays(DatabaseClient db, String id, List<EventData.Port> ports,
            @Nullable Integer shard, String tail) {
        int n = ports.size();
        String[] ip = new String[n];
        Integer[] port = new Integer[n];
        String[] host = new String[n];
        String[] state = new String[n];
        String[] reason = new String[n];
        String[] service = new String[n];
        Double[] rtt = new Double[n];
        for (int i = 0; i < n; i++) {
            EventData.Port p = ports.get(i);
            ip[i] = p.ip();
            port[i] = p.port();
            host[i] = p.host();
            state[i] = p.state();
            reason[i] = p.reason();
            service[i] = p.service();
            rtt[i] = p.rttMs();
        }
        DatabaseClient.GenericExecuteSpec insert = db.sql("INSERT INTO port_results (scan_id, ip, port, host, state, "
                        + "reason, service, rtt_ms, shard_idx) "
                        + "SELECT $1, r.ip, r.port, r.host, r.state, r.reason, r.service, r.rtt, $9::int FROM unnest("
                        + "$2::varchar[], $3::int[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[], "
                        + "$8::float8[]) AS r(ip, port, host, state, reason, service, rtt) ON CONFLICT DO NOTHING"
                        + tail)
                .bind(0, id).bind(1, ip).bind(2, port).bind(3, host).bind(4, state).bind(5, reason)
                .bind(6, service).bind(7, rtt);
        return shard == null ? insert.bindNull(8, Integer.class) : insert.bind(8, shard);
    }

    // A service event always follows its port's event, so the port's row is there (in this batch or an earlier one).
    private Mono<Long> updateServices(String id, List<EventData.Service> services) {
        if (services.isEmpty()) {
            return Mono.just(0L);
        }
        List<Object[]> rows = new ArrayList<>(services.size());
        for (EventData.Service s : services) {
            rows.add(new Object[] {nullable(s.service(), String.class), nullable(s.product(), String.class),
                nullable(s.version(), String.class), s.method(), id, s.ip(), s.port()});
        }
        return insertAll("UPDATE port_results SET service = $1, product = $2, version = $3, method = $4 "
                + "WHERE scan_id = $5 AND ip = $6 AND port = $7", rows);
    }

    private Mono<Long> insertAll(String sql, List<Object[]> rows) {
        return db.inConnectionMany(connection -> {
            Statement statement = connection.createStatement(sql);
            for (int r = 0; r < rows.size(); r++) {
                if (r > 0) {
                    statement.add();
                }
                Object[] row = rows.get(r);
                for (int i = 0; i < row.length; i++) {
                    if (row[i] instanceof Parameter typedNull) {
                        statement.bindNull(i, typedNull.getType().getJavaType());
                    } else {
                        statement.bind(i, row[i]);
                    }
                }
            }
            return Flux.from(statement.execute()).flatMap(Result::getRowsUpdated);
        }).reduce(0L, Long::sum);
    }

    @Override
    public Mono<StoredScan> find(String id) {
        return db.sql("SELECT " + SCAN_COLUMNS + " FROM scans WHERE id = $1").bind(0, id)
                .map(this::scan).one()
                .flatMap(scan -> openPorts(List.of(id)).map(p -> scan.withOpenPorts(p.getOrDefault(id, List.of()))))
                .flatMap(scan -> scan.distributed()
                        ? shards.summary(id).map(scan::withShards).defaultIfEmpty(scan)
                        : Mono.just(scan))
                .subscribeOn(scheduler);
    }

    @Override
    public Flux<StoredScan> list(ScanQuery query) {
        StringBuilder sql = new StringBuilder("SELECT " + SCAN_COLUMNS + " FROM scans WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (query.status() != null) {
            args.add(query.status().wireName());
            sql.append(" AND status = $").append(args.size());
        }
        if (query.target() != null) {
            args.add("%" + likeEscaped(query.target().toLowerCase(Locale.ROOT)) + "%");
            sql.append(" AND LOWER(target_spec) LIKE $").append(args.size()).append(" ESCAPE '\\'");
        }
        if (query.since() != null) {
            args.add(query.since().toEpochMilli());
            sql.append(" AND created_at >= $").append(args.size());
        }
        if (query.until() != null) {
            args.add(query.until().toEpochMilli());
            sql.append(" AND created_at < $").append(args.size());
        }
        args.add(query.size());
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT $").append(args.size());
        args.add((long) query.page() * query.size());
        sql.append(" OFFSET $").append(args.size());
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql.toString());
        for (int i = 0; i < args.size(); i++) {
            spec = spec.bind(i, args.get(i));
        }
        return spec.map(this::scan).all().collectList()
                .flatMapMany(scans -> scans.isEmpty() ? Flux.empty()
                        : openPorts(scans.stream().map(StoredScan::id).toList()).flatMapIterable(ports -> scans.stream()
                                .map(s -> s.withOpenPorts(ports.getOrDefault(s.id(), List.of()))).toList()))
                .subscribeOn(scheduler);
    }

    @Override
    public Flux<ScanEvent> events(String id, long afterId, int limit) {
        return db.sql(EVENTS_PAGE)
                .bind(0, id).bind(1, afterId).bind(2, limit)
                .map(row -> codec.event(row.get("seq", Long.class), row.get("name", String.class), row.get("data", String.class)))
                .all()
                .subscribeOn(scheduler);
    }

    @Override
    public Flux<PortResult> results(String id, @Nullable String ip, List<String> skipStates, int pageSize) {
        StringBuilder where = new StringBuilder(" WHERE scan_id = $1");
        List<Object> args = new ArrayList<>(List.of(id));
        if (ip != null) {
            args.add(ip);
            where.append(" AND ip = $").append(args.size());
        }
        for (String state : skipStates) {
            args.add(state);
            where.append(" AND state <> $").append(args.size());
        }
        String select = "SELECT " + RESULT_COLUMNS + " FROM port_results";
        return paged(pageSize, last -> {
            StringBuilder sql = new StringBuilder(select).append(where);
            List<Object> bound = new ArrayList<>(args);
            if (last != null) {
                bound.add(last.ip());
                bound.add(last.port());
                sql.append(" AND (ip > $").append(bound.size() - 1).append(" OR (ip = $").append(bound.size() - 1)
                        .append(" AND port > $").append(bound.size()).append("))");
            }
            bound.add(pageSize);
            // scan_id first, as in EVENTS_PAGE: H2 reads the page from the primary key instead of sorting.
            sql.append(" ORDER BY scan_id, ip, port LIMIT $").append(bound.size());
            return bindAll(db.sql(sql.toString()), bound).map(R2dbcScanStore::result).all();
        });
    }

    @Override
    public Flux<String> resultAddresses(String id, List<String> states, int pageSize) {
        StringBuilder where = new StringBuilder(" WHERE scan_id = $1");
        List<Object> args = new ArrayList<>(List.of(id));
        for (int i = 0; i < states.size(); i++) {
            args.add(states.get(i));
            where.append(i == 0 ? " AND state IN ($" : ", $").append(args.size()).append(i == states.size() - 1 ? ")" : "");
        }
        return paged(pageSize, last -> {
            StringBuilder sql = new StringBuilder("SELECT DISTINCT ip FROM port_results").append(where);
            List<Object> bound = new ArrayList<>(args);
            if (last != null) {
                bound.add(last);
                sql.append(" AND ip > $").append(bound.size());
            }
            bound.add(pageSize);
            sql.append(" ORDER BY ip LIMIT $").append(bound.size());
            return bindAll(db.sql(sql.toString()), bound).map(row -> row.get(0, String.class)).all();
        });
    }

    @Override
    public Flux<PortResult.Tally> tallies(String id, String ip) {
        return db.sql("SELECT state, reason, COUNT(*) AS n FROM port_results WHERE scan_id = $1 AND ip = $2 "
                        + "GROUP BY state, reason ORDER BY state, reason")
                .bind(0, id).bind(1, ip)
                .map(row -> new PortResult.Tally(row.get("state", String.class), row.get("reason", String.class),
                        row.get("n", Long.class)))
                .all()
                .subscribeOn(scheduler);
    }

    @Override
    public Flux<PortResult.Pair> differences(String baseId, String id) {
        String a = columns("a", true);
        String b = columns("b", true);
        String none = columns(null, false);
        String sql = "SELECT * FROM ("
                + "SELECT a.ip AS k_ip, a.port AS k_port, " + a + ", " + b + " FROM port_results a JOIN port_results b "
                + "ON b.scan_id = $2 AND b.ip = a.ip AND b.port = a.port WHERE a.scan_id = $1 AND (a.state <> b.state "
                + "OR a.service IS DISTINCT FROM b.service OR a.product IS DISTINCT FROM b.product "
                + "OR a.version IS DISTINCT FROM b.version) "
                + "UNION ALL SELECT a.ip, a.port, " + a + ", " + none.replace("?", "b") + " FROM port_results a "
                + "WHERE a.scan_id = $1 AND NOT EXISTS (SELECT 1 FROM port_results b WHERE b.scan_id = $2 "
                + "AND b.ip = a.ip AND b.port = a.port) "
                + "UNION ALL SELECT b.ip, b.port, " + none.replace("?", "a") + ", " + b + " FROM port_results b "
                + "WHERE b.scan_id = $2 AND NOT EXISTS (SELECT 1 FROM port_results a WHERE a.scan_id = $1 "
                + "AND a.ip = b.ip AND a.port = b.port)"
                + ") d ORDER BY k_ip, k_port";
        return db.sql(sql).bind(0, baseId).bind(1, id)
                .map(row -> new PortResult.Pair(row.get("k_ip", String.class), row.get("k_port", Integer.class),
                        side(row, "a_"), side(row, "b_")))
                .all()
                .subscribeOn(scheduler);
    }

    private static final String RESULT_COLUMNS = "ip, port, host, state, reason, service, product, version, method, rtt_ms";

    // The result columns of table alias {@code alias} named with its prefix (a_ip, a_port, ...), or, with no
    // alias, typed NULLs named with the prefix "?_" for the caller to fill in.
    private static String columns(@Nullable String alias, boolean present) {
        StringBuilder out = new StringBuilder();
        for (String column : RESULT_COLUMNS.split(", ")) {
            if (out.length() > 0) {
                out.append(", ");
            }
            String type = column.equals("port") ? "INTEGER" : column.equals("rtt_ms") ? "DOUBLE PRECISION" : "VARCHAR";
            out.append(present ? alias + "." + column : "CAST(NULL AS " + type + ")")
                    .append(" AS ").append(present ? alias : "?").append('_').append(column);
        }
        return out.toString();
    }

    private static @Nullable PortResult side(Readable row, String prefix) {
        String state = row.get(prefix + "state", String.class);
        return state == null ? null : new PortResult(row.get(prefix + "ip", String.class),
                row.get(prefix + "port", Integer.class), row.get(prefix + "host", String.class), state,
                row.get(prefix + "reason", String.class), row.get(prefix + "service", String.class),
                row.get(prefix + "product", String.class), row.get(prefix + "version", String.class),
                row.get(prefix + "method", String.class), row.get(prefix + "rtt_ms", Double.class));
    }

    private static PortResult result(Readable row) {
        return side(row, "");
    }

    // Pages of a keyset query: each page is read when the subscriber has taken the previous one, starting after
    // its last row, until a short page. At most two pages are held: the one being taken and the next.
    private <T> Flux<T> paged(int pageSize, Function<@Nullable T, Flux<T>> page) {
        return Flux.defer(() -> {
            AtomicReference<@Nullable T> last = new AtomicReference<>();
            return Mono.defer(() -> page.apply(last.get()).collectList())
                    .subscribeOn(scheduler)
                    .repeat()
                    .takeUntil(rows -> rows.size() < pageSize)
                    .filter(rows -> !rows.isEmpty())
                    .doOnNext(rows -> last.set(rows.get(rows.size() - 1)))
                    .flatMapIterable(rows -> rows, 1);
        });
    }

    private static DatabaseClient.GenericExecuteSpec bindAll(DatabaseClient.GenericExecuteSpec spec, List<Object> args) {
        for (int i = 0; i < args.size(); i++) {
            spec = spec.bind(i, args.get(i));
        }
        return spec;
    }

    @Override
    public Mono<Long> expire(Instant cutoff, int keep) {
        // One statement, so that whichever replica runs it, the limits hold; events and results go by cascade. The
        // scan of each schedule's newest completed run stays: its next run is compared with it (schedule_runs, V5).
        return db.sql("DELETE FROM scans WHERE status <> 'running' AND (finished_at < $1 OR id IN ("
                        + "SELECT id FROM scans WHERE status <> 'running' ORDER BY created_at DESC, id DESC OFFSET $2 ROWS)) "
                        + "AND id NOT IN (SELECT r.scan_id FROM schedule_runs r WHERE r.scan_id IS NOT NULL "
                        + "AND r.status = 'completed' AND r.tick = (SELECT MAX(l.tick) FROM schedule_runs l "
                        + "WHERE l.schedule_id = r.schedule_id AND l.status = 'completed'))")
                .bind(0, cutoff.toEpochMilli()).bind(1, (long) keep)
                .fetch().rowsUpdated()
                .subscribeOn(scheduler);
    }

    // Open ports of the given scans, in address order, by scan id.
    Mono<Map<String, List<EventData.OpenPort>>> openPorts(List<String> ids) {
        StringBuilder sql = new StringBuilder("SELECT scan_id, host, ip, port, service, product, version, method FROM port_results "
                + "WHERE state = 'open' AND scan_id IN (");
        for (int i = 1; i <= ids.size(); i++) {
            sql.append(i > 1 ? ", $" : "$").append(i);
        }
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql.append(')').toString());
        for (int i = 0; i < ids.size(); i++) {
            spec = spec.bind(i, ids.get(i));
        }
        return spec.map(row -> Map.entry(row.get("scan_id", String.class), new EventData.OpenPort(
                        row.get("host", String.class), row.get("ip", String.class), row.get("port", Integer.class),
                        row.get("service", String.class), row.get("product", String.class),
                        row.get("version", String.class), row.get("method", String.class))))
                .all()
                .collectList()
                .map(rows -> {
                    Map<String, List<EventData.OpenPort>> byScan = new HashMap<>();
                    rows.forEach(e -> byScan.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
                    byScan.values().forEach(list -> list.sort(EventData.OpenPort.BY_ADDRESS_THEN_PORT));
                    return byScan;
                });
    }

    private StoredScan scan(Readable row) {
        Long finished = row.get("finished_at", Long.class);
        return new StoredScan(
                row.get("id", String.class),
                codec.request(row.get("request", String.class)),
                ScanStatus.ofWireName(row.get("status", String.class)),
                codec.targets(row.get("targets", String.class)),
                row.get("total", Long.class),
                row.get("scanned", Long.class),
                row.get("open_count", Long.class),
                row.get("closed_count", Long.class),
                row.get("filtered_count", Long.class),
                row.get("error_count", Long.class),
                row.get("rate", Double.class),
                row.get("elapsed_ms", Long.class),
                row.get("eta_ms", Long.class),
                row.get("message", String.class),
                Instant.ofEpochMilli(row.get("created_at", Long.class)),
                finished == null ? null : Instant.ofEpochMilli(finished),
                row.get("owner", String.class),
                List.of(),
                Boolean.TRUE.equals(row.get("distributed", Boolean.class)),
                null);
    }

    private static DatabaseClient.GenericExecuteSpec bindOrNull(DatabaseClient.GenericExecuteSpec spec, int index,
            Object value, Class<?> type) {
        return value == null ? spec.bindNull(index, type) : spec.bind(index, value);
    }

    // A value to bind, or a typed null in its place.
    private static Object nullable(Object value, Class<?> type) {
        return value == null ? Parameters.in(type) : value;
    }

    private static String likeEscaped(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    @Override
    public void destroy() {
        scheduler.dispose();
    }
}
