package io.portflux.schedule;

import io.portflux.scan.ScanRequest;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import io.r2dbc.spi.ConnectionFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * ScheduleStore keeps schedules, their runs and their webhook deliveries in the scan store's database (one SQL
 * for PostgreSQL and H2), on threads of its own since r2dbc-h2 blocks the thread that subscribes.
 *
 * <p>Exactly one replica runs each tick: a tick is claimed by one conditional UPDATE that moves the schedule's
 * {@code next_run} on from the tick it read, allowed only to the replica that holds the schedule (its owner,
 * while the owner's row in {@code replicas} is renewed within the lease time) or, when the owner's lease ran
 * out, to any; the database lets one such UPDATE match. A webhook attempt is claimed the same way.
 */
public final class ScheduleStore implements AutoCloseable {

    private static final String COLUMNS = "id, name, cron, zone, enabled, scan, webhook, created_at, updated_at, "
            + "next_run, owner, running_scan, skipped";
    private static final String RUN_COLUMNS = "schedule_id, tick, scan_id, replica, started_at, status, finished_at, "
            + "base_scan_id, changes, change_count, message";
    private static final String DELIVERY_COLUMNS = "id, schedule_id, scan_id, url, body, status, attempts, "
            + "next_attempt, last_error, created_at, delivered_at";

    /** Runs kept per schedule. */
    static final int RUNS_KEPT = 100;
    // Of a schedule's deliveries that are over (delivered, or out of attempts), the newest this many are kept.
    static final int DELIVERIES_KEPT = 100;

    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final JsonMapper json;
    private final String replicaId;
    private final boolean embedded;
    private final Scheduler scheduler = Schedulers.newBoundedElastic(2, 10_000, "portflux-schedules");

    /**
     * @param replicaId this replica, as written in the {@code replicas} table by the scan store's lease
     * @param embedded whether the database is the embedded H2 file, which only one process can open: a schedule
     *     held by another replica id there was held by an earlier run of this process, and is taken at once
     */
    public ScheduleStore(ConnectionFactory connections, JsonMapper json, String replicaId, boolean embedded) {
        this.db = DatabaseClient.create(connections);
        this.tx = TransactionalOperator.create(new R2dbcTransactionManager(connections));
        this.json = json;
        this.replicaId = Objects.requireNonNull(replicaId, "replicaId");
        this.embedded = embedded;
    }

    public String replicaId() {
        return replicaId;
    }

    /** Writes a new schedule; a name already taken is a {@link ScheduleNameTakenException}. */
    public Mono<Schedule> create(String id, ScheduleSpec spec, @Nullable Instant nextRun, Instant now) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("INSERT INTO schedules (id, name, cron, zone, enabled, scan, "
                        + "webhook, created_at, updated_at, next_run) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $8, $9 "
                        + "WHERE NOT EXISTS (SELECT 1 FROM schedules WHERE name = $2)")
                .bind(0, id).bind(1, spec.name()).bind(2, spec.cron()).bind(3, spec.zone().getId())
                .bind(4, spec.enabled()).bind(5, json.writeValueAsString(spec.scan()));
        insert = orNull(insert, 6, spec.webhook(), String.class).bind(7, now.toEpochMilli());
        insert = orNull(insert, 8, nextRun == null ? null : nextRun.toEpochMilli(), Long.class);
        return insert.fetch().rowsUpdated()
                .onErrorMap(org.springframework.dao.DataIntegrityViolationException.class,
                        e -> new ScheduleNameTakenException(spec.name()))
                .flatMap(n -> n == 0 ? Mono.error(new ScheduleNameTakenException(spec.name())) : find(id))
                .subscribeOn(scheduler);
    }

    /**
     * Replaces the spec of schedule {@code id} and its next run; empty when there is none, a
     * {@link ScheduleNameTakenException} when another schedule has the new name.
     */
    public Mono<Schedule> update(String id, ScheduleSpec spec, @Nullable Instant nextRun, Instant now) {
        DatabaseClient.GenericExecuteSpec update = db.sql("UPDATE schedules SET name = $2, cron = $3, zone = $4, "
                        + "enabled = $5, scan = $6, webhook = $7, updated_at = $8, next_run = $9 WHERE id = $1 "
                        + "AND NOT EXISTS (SELECT 1 FROM schedules o WHERE o.name = $2 AND o.id <> $1)")
                .bind(0, id).bind(1, spec.name()).bind(2, spec.cron()).bind(3, spec.zone().getId())
                .bind(4, spec.enabled()).bind(5, json.writeValueAsString(spec.scan()));
        update = orNull(update, 6, spec.webhook(), String.class).bind(7, now.toEpochMilli());
        update = orNull(update, 8, nextRun == null ? null : nextRun.toEpochMilli(), Long.class);
        return update.fetch().rowsUpdated()
                .onErrorMap(org.springframework.dao.DataIntegrityViolationException.class,
                        e -> new ScheduleNameTakenException(spec.name()))
                .flatMap(n -> n > 0 ? find(id) : find(id).flatMap(exists -> Mono.<Schedule>error(
                        new ScheduleNameTakenException(spec.name()))))
                .subscribeOn(scheduler);
    }

    /** Deletes schedule {@code id} with its runs and pending deliveries; emits whether there was one. */
    public Mono<Boolean> delete(String id) {
        return db.sql("DELETE FROM schedules WHERE id = $1").bind(0, id).fetch().rowsUpdated()
                .map(n -> n > 0).subscribeOn(scheduler);
    }

    public Mono<Schedule> find(String id) {
        return db.sql("SELECT " + COLUMNS + " FROM schedules WHERE id = $1").bind(0, id).map(this::schedule).one()
                .subscribeOn(scheduler);
    }

    public Mono<Schedule> findByName(String name) {
        return db.sql("SELECT " + COLUMNS + " FROM schedules WHERE name = $1").bind(0, name).map(this::schedule).one()
                .subscribeOn(scheduler);
    }

    /** Marks schedule {@code name} as declared in the configuration. */
    public Mono<Void> markDeclared(String name) {
        return db.sql("UPDATE schedules SET declared = TRUE WHERE name = $1").bind(0, name).then()
                .subscribeOn(scheduler);
    }

    /** The schedules a start wrote from its configuration, by name. */
    public Flux<Schedule> declared() {
        return db.sql("SELECT " + COLUMNS + " FROM schedules WHERE declared = TRUE ORDER BY name").map(this::schedule)
                .all().subscribeOn(scheduler);
    }

    /** Every schedule, by name. */
    public Flux<Schedule> list() {
        return db.sql("SELECT " + COLUMNS + " FROM schedules ORDER BY name").map(this::schedule).all()
                .subscribeOn(scheduler);
    }

    /** The schedules that are on and whose next run is at or before {@code now}. */
    public Flux<Schedule> due(Instant now) {
        return db.sql("SELECT " + COLUMNS + " FROM schedules WHERE enabled = TRUE AND next_run <= $1 ORDER BY next_run")
                .bind(0, now.toEpochMilli()).map(this::schedule).all()
                .subscribeOn(scheduler);
    }

    /**
     * Claims tick {@code tick} of schedule {@code id} for this replica and moves its next run on to {@code next}:
     * only while the next run is still that tick, and only when this replica holds the schedule or its holder's
     * lease was last renewed before {@code leaseCutoff}. Emits whether this replica got the tick.
     */
    public Mono<Boolean> claimTick(String id, Instant tick, @Nullable Instant next, Instant leaseCutoff) {
        String holder = embedded ? "" : " AND (owner IS NULL OR owner = $3 OR NOT EXISTS (SELECT 1 FROM replicas r "
                + "WHERE r.id = schedules.owner AND r.seen_at >= $5))";
        DatabaseClient.GenericExecuteSpec claim = db.sql("UPDATE schedules SET next_run = $2, owner = $3 "
                        + "WHERE id = $1 AND enabled = TRUE AND next_run = $4" + holder)
                .bind(0, id);
        claim = orNull(claim, 1, next == null ? null : next.toEpochMilli(), Long.class).bind(2, replicaId)
                .bind(3, tick.toEpochMilli());
        if (!embedded) {
            claim = claim.bind(4, leaseCutoff.toEpochMilli());
        }
        return claim.fetch().rowsUpdated().map(n -> n > 0).subscribeOn(scheduler);
    }

    /** Counts a tick of schedule {@code id} that came while its previous run was still going. */
    public Mono<Void> skipped(String id) {
        return db.sql("UPDATE schedules SET skipped = skipped + 1 WHERE id = $1").bind(0, id).then()
                .subscribeOn(scheduler);
    }

    /** Records that {@code run} started (its scan, or that it failed to start) and is the schedule's current one. */
    public Mono<Boolean> started(ScheduleRun run) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("INSERT INTO schedule_runs (schedule_id, tick, scan_id, "
                        + "replica, started_at, status, finished_at, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                        + "ON CONFLICT DO NOTHING")
                .bind(0, run.scheduleId()).bind(1, run.tick().toEpochMilli());
        insert = orNull(insert, 2, run.scanId(), String.class).bind(3, run.replica())
                .bind(4, run.startedAt().toEpochMilli()).bind(5, run.status());
        insert = orNull(insert, 6, run.finishedAt() == null ? null : run.finishedAt().toEpochMilli(), Long.class);
        insert = orNull(insert, 7, run.message(), String.class);
        Mono<Long> running = db.sql("UPDATE schedules SET running_scan = $2 WHERE id = $1")
                .bind(0, run.scheduleId()).bind(1, run.scanId() == null ? "" : run.scanId())
                .fetch().rowsUpdated();
        return insert.fetch().rowsUpdated()
                .flatMap(n -> n == 0 || run.scanId() == null ? Mono.just(n) : running.thenReturn(n))
                .map(n -> n > 0)
                .as(tx::transactional)
                .subscribeOn(scheduler);
    }

    /**
     * Records how {@code run} ended, with its diff, and, when it found changes to send, its webhook
     * {@code delivery}: all in one transaction, so a run with changes never lacks its delivery.
     */
    public Mono<Void> finished(ScheduleRun run, @Nullable Delivery delivery) {
        DatabaseClient.GenericExecuteSpec update = db.sql("UPDATE schedule_runs SET status = $3, finished_at = $4, "
                        + "base_scan_id = $5, changes = $6, change_count = $7, message = $8 "
                        + "WHERE schedule_id = $1 AND tick = $2")
                .bind(0, run.scheduleId()).bind(1, run.tick().toEpochMilli()).bind(2, run.status());
        update = orNull(update, 3, run.finishedAt() == null ? null : run.finishedAt().toEpochMilli(), Long.class);
        update = orNull(update, 4, run.baseScanId(), String.class);
        update = orNull(update, 5, run.changes(), String.class);
        update = orNull(update, 6, run.changeCount(), Integer.class);
        update = orNull(update, 7, run.message(), String.class);
        Mono<Long> idle = db.sql("UPDATE schedules SET running_scan = NULL WHERE id = $1 AND running_scan = $2")
                .bind(0, run.scheduleId()).bind(1, run.scanId() == null ? "" : run.scanId()).fetch().rowsUpdated();
        Mono<Long> enqueue = delivery == null ? Mono.just(0L) : db.sql("INSERT INTO alert_deliveries (" + DELIVERY_COLUMNS
                        + ") VALUES ($1, $2, $3, $4, $5, $6, 0, $7, NULL, $8, NULL) ON CONFLICT DO NOTHING")
                .bind(0, delivery.id()).bind(1, delivery.scheduleId()).bind(2, delivery.scanId())
                .bind(3, delivery.url()).bind(4, delivery.body()).bind(5, delivery.status())
                .bind(6, delivery.nextAttempt().toEpochMilli()).bind(7, delivery.createdAt().toEpochMilli())
                .fetch().rowsUpdated();
        // The newest runs are kept; older ones go (their scans go with the scan store's retention).
        Mono<Long> prune = db.sql("DELETE FROM schedule_runs WHERE schedule_id = $1 AND tick < (SELECT MIN(k.tick) FROM "
                        + "(SELECT tick FROM schedule_runs WHERE schedule_id = $1 ORDER BY tick DESC LIMIT $2) k)")
                .bind(0, run.scheduleId()).bind(1, RUNS_KEPT).fetch().rowsUpdated();
        // Deliveries that are over are kept as far as the newest DELIVERIES_KEPT; a pending one is never removed.
        Mono<Long> pruneDeliveries = db.sql("DELETE FROM alert_deliveries WHERE schedule_id = $1 AND status <> 'pending' "
                        + "AND created_at < (SELECT MIN(k.created_at) FROM (SELECT created_at FROM alert_deliveries "
                        + "WHERE schedule_id = $1 ORDER BY created_at DESC LIMIT $2) k)")
                .bind(0, run.scheduleId()).bind(1, DELIVERIES_KEPT).fetch().rowsUpdated();
        return update.fetch().rowsUpdated().then(idle).then(enqueue).then(prune).then(pruneDeliveries).then()
                .as(tx::transactional)
                .subscribeOn(scheduler);
    }

    /** The newest {@code limit} runs of schedule {@code id}, newest first. */
    public Flux<ScheduleRun> runs(String id, int limit) {
        return db.sql("SELECT " + RUN_COLUMNS + " FROM schedule_runs WHERE schedule_id = $1 ORDER BY tick DESC LIMIT $2")
                .bind(0, id).bind(1, limit).map(ScheduleStore::run).all()
                .subscribeOn(scheduler);
    }

    /** The run of schedule {@code id} that started scan {@code scanId}; empty when there is none. */
    public Mono<ScheduleRun> runOf(String id, String scanId) {
        return db.sql("SELECT " + RUN_COLUMNS + " FROM schedule_runs WHERE schedule_id = $1 AND scan_id = $2")
                .bind(0, id).bind(1, scanId).map(ScheduleStore::run).one()
                .subscribeOn(scheduler);
    }

    /** The newest completed run of schedule {@code id} before tick {@code before}; empty when there is none. */
    public Mono<ScheduleRun> previousCompleted(String id, Instant before) {
        return db.sql("SELECT " + RUN_COLUMNS + " FROM schedule_runs WHERE schedule_id = $1 AND tick < $2 "
                        + "AND status = 'completed' ORDER BY tick DESC LIMIT 1")
                .bind(0, id).bind(1, before.toEpochMilli()).map(ScheduleStore::run).one()
                .subscribeOn(scheduler);
    }

    /** Pending deliveries whose next attempt is due at {@code now}, oldest first, at most {@code limit}. */
    public Flux<Delivery> dueDeliveries(Instant now, int limit) {
        return db.sql("SELECT " + DELIVERY_COLUMNS + " FROM alert_deliveries WHERE status = 'pending' "
                        + "AND next_attempt <= $1 ORDER BY next_attempt LIMIT $2")
                .bind(0, now.toEpochMilli()).bind(1, limit).map(ScheduleStore::delivery).all()
                .subscribeOn(scheduler);
    }

    /**
     * Claims the next attempt of {@code delivery} for this replica: moves its next attempt on to
     * {@code retryAt} (when it is tried again should this attempt never report) and counts the attempt, only while
     * it is still pending and due as read. Emits whether this replica got it.
     */
    public Mono<Boolean> claimAttempt(Delivery delivery, Instant retryAt) {
        return db.sql("UPDATE alert_deliveries SET next_attempt = $3, attempts = attempts + 1 WHERE id = $1 "
                        + "AND status = 'pending' AND next_attempt = $2")
                .bind(0, delivery.id()).bind(1, delivery.nextAttempt().toEpochMilli()).bind(2, retryAt.toEpochMilli())
                .fetch().rowsUpdated().map(n -> n > 0)
                .subscribeOn(scheduler);
    }

    /** Records the outcome of an attempt: {@code status} (pending to retry at {@code nextAttempt}, delivered, failed). */
    public Mono<Void> attempted(String id, String status, Instant nextAttempt, @Nullable String error, Instant now) {
        DatabaseClient.GenericExecuteSpec update = db.sql("UPDATE alert_deliveries SET status = $2, next_attempt = $3, "
                        + "last_error = COALESCE($4, last_error), delivered_at = $5 WHERE id = $1")
                .bind(0, id).bind(1, status).bind(2, nextAttempt.toEpochMilli());
        update = orNull(update, 3, error, String.class);
        update = orNull(update, 4, Delivery.DELIVERED.equals(status) ? now.toEpochMilli() : null, Long.class);
        return update.then().subscribeOn(scheduler);
    }

    /** The deliveries of schedule {@code id}, newest first, at most {@code limit}. */
    public Flux<Delivery> deliveries(String id, int limit) {
        return db.sql("SELECT " + DELIVERY_COLUMNS + " FROM alert_deliveries WHERE schedule_id = $1 "
                        + "ORDER BY created_at DESC LIMIT $2")
                .bind(0, id).bind(1, limit).map(ScheduleStore::delivery).all()
                .subscribeOn(scheduler);
    }

    private Schedule schedule(Readable row) {
        ScheduleSpec spec = new ScheduleSpec(row.get("name", String.class), row.get("cron", String.class),
                ZoneId.of(row.get("zone", String.class)), Boolean.TRUE.equals(row.get("enabled", Boolean.class)),
                json.readValue(row.get("scan", String.class), ScanRequest.class), row.get("webhook", String.class));
        String running = row.get("running_scan", String.class);
        return new Schedule(row.get("id", String.class), spec, instant(row, "created_at"), instant(row, "updated_at"),
                instant(row, "next_run"), row.get("owner", String.class),
                running == null || running.isEmpty() ? null : running, row.get("skipped", Long.class));
    }

    private static ScheduleRun run(Readable row) {
        return new ScheduleRun(row.get("schedule_id", String.class), instant(row, "tick"), row.get("scan_id", String.class),
                row.get("replica", String.class), instant(row, "started_at"), row.get("status", String.class),
                instant(row, "finished_at"), row.get("base_scan_id", String.class), row.get("changes", String.class),
                row.get("change_count", Integer.class), row.get("message", String.class));
    }

    private static Delivery delivery(Readable row) {
        return new Delivery(row.get("id", String.class), row.get("schedule_id", String.class),
                row.get("scan_id", String.class), row.get("url", String.class), row.get("body", String.class),
                row.get("status", String.class), row.get("attempts", Integer.class), instant(row, "next_attempt"),
                row.get("last_error", String.class), instant(row, "created_at"), instant(row, "delivered_at"));
    }

    private static @Nullable Instant instant(Readable row, String column) {
        Long millis = row.get(column, Long.class);
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private static DatabaseClient.GenericExecuteSpec orNull(DatabaseClient.GenericExecuteSpec spec, int index,
            @Nullable Object value, Class<?> type) {
        return value == null ? spec.bindNull(index, type) : spec.bind(index, value);
    }

    @Override
    public void close() {
        scheduler.dispose();
    }
}
