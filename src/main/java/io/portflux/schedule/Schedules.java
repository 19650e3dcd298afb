package io.portflux.schedule;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Schedules is what the API does with schedules: every write is checked by {@link ScheduleBody} and
 * {@link ScheduleValidation} first, and sets the schedule's next run from its cron (none while it is off).
 */
public final class Schedules {

    private final ScheduleStore store;
    private final ScheduleValidation validation;
    private final ScheduleRunner runner;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    Schedules(ScheduleStore store, ScheduleValidation validation, ScheduleRunner runner, Clock clock) {
        this.store = store;
        this.validation = validation;
        this.runner = runner;
        this.clock = clock;
    }

    /** Creates the schedule {@code body} describes; a {@link ScheduleNameTakenException} when its name is taken. */
    public Mono<Schedule> create(@Nullable Map<String, Object> body) {
        return Mono.fromCallable(() -> ScheduleBody.parse(body)).flatMap(validation::check)
                .flatMap(spec -> {
                    Instant now = clock.instant();
                    return store.create(newId(), spec, nextRun(spec, now), now);
                });
    }

    /** Replaces schedule {@code id} with what {@code body} describes; a {@link ScheduleNotFoundException} if none. */
    public Mono<Schedule> replace(String id, @Nullable Map<String, Object> body) {
        return Mono.fromCallable(() -> ScheduleBody.parse(body)).flatMap(validation::check)
                .flatMap(spec -> find(id).flatMap(existing -> {
                    Instant now = clock.instant();
                    return store.update(id, spec, nextRun(spec, now), now);
                }))
                .switchIfEmpty(Mono.error(() -> new ScheduleNotFoundException(id)));
    }

    /**
     * Writes {@code spec} under its name: created when there is none, replaced when it differs. Replicas that start
     * together race to create it; the one that loses finds it on its second look.
     */
    Mono<Schedule> upsert(ScheduleSpec spec) {
        return validation.check(spec).flatMap(checked -> write(checked)
                .onErrorResume(ScheduleNameTakenException.class, lost -> write(checked)));
    }

    private Mono<Schedule> write(ScheduleSpec checked) {
        return Mono.defer(() -> store.findByName(checked.name())
                .flatMap(existing -> existing.spec().equals(checked) ? Mono.just(existing)
                        : store.update(existing.id(), checked, nextRun(checked, clock.instant()), clock.instant()))
                .switchIfEmpty(Mono.defer(() -> {
                    Instant now = clock.instant();
                    return store.create(newId(), checked, nextRun(checked, now), now);
                })));
    }

    /**
     * Writes the schedules declared in the configuration (by name, as {@link #upsert} does) and deletes those that an
     * earlier start declared and this one no longer does; emits the names of the deleted ones.
     */
    Flux<String> declare(List<ScheduleSpec> specs) {
        Set<String> names = new HashSet<>();
        specs.forEach(spec -> names.add(spec.name()));
        return Flux.fromIterable(specs)
                .concatMap(spec -> upsert(spec)
                        .onErrorMap(e -> new IllegalStateException(
                                "portflux.schedules.declared '" + spec.name() + "': " + e.getMessage(), e))
                        .flatMap(written -> store.markDeclared(written.spec().name())))
                .thenMany(store.declared())
                .filter(schedule -> !names.contains(schedule.spec().name()))
                .concatMap(schedule -> delete(schedule.id()).thenReturn(schedule.spec().name()));
    }

    public Mono<Void> delete(String id) {
        return store.delete(id).flatMap(deleted -> deleted ? Mono.<Void>empty()
                : Mono.error(new ScheduleNotFoundException(id)));
    }

    /** Schedule {@code id}, or a {@link ScheduleNotFoundException}. */
    public Mono<Schedule> find(String id) {
        return store.find(id).switchIfEmpty(Mono.error(() -> new ScheduleNotFoundException(id)));
    }

    public Flux<Schedule> list() {
        return store.list();
    }

    /** The newest {@code limit} runs of schedule {@code id}, newest first. */
    public Flux<ScheduleRun> runs(String id, int limit) {
        return store.runs(id, limit);
    }

    /** The newest {@code limit} webhook deliveries of schedule {@code id}, newest first. */
    public Flux<Delivery> deliveries(String id, int limit) {
        return store.deliveries(id, limit);
    }

    /** Ids of schedules whose runs this replica just started or finished. */
    public Flux<String> changed() {
        return runner.changed();
    }

    private static @Nullable Instant nextRun(ScheduleSpec spec, Instant now) {
        return spec.enabled() ? spec.next(now) : null;
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
