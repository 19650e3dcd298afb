package io.portflux.schedule;

import io.portflux.alerts.AlertProperties;
import io.portflux.alerts.WebhookSender;
import io.portflux.results.ScanDiff;
import io.portflux.results.ScanExport;
import io.portflux.store.ScanStore;
import io.portflux.store.StoreProperties;
import io.portflux.web.scans.ScanRegistry;
import io.portflux.web.stream.ShutdownSignal;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

/**
 * ScheduleConfiguration wires schedules to the scan store's database and replica id, and writes the schedules
 * declared in the configuration ({@code portflux.schedules.declared}, from the Helm chart) at start, by name.
 */
@Configuration(proxyBeanMethods = false)
public class ScheduleConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ScheduleConfiguration.class);
    private static final Duration DECLARED_WAIT = Duration.ofMinutes(1);

    // The pool hands out connections only once the schema is migrated (StoreMigration).
    @Bean(destroyMethod = "close")
    ScheduleStore scheduleStore(ConnectionFactory connections, JsonMapper json, ScanStore scans, Environment environment) {
        boolean embedded = environment.getRequiredProperty("spring.r2dbc.url").startsWith("r2dbc:h2:");
        return new ScheduleStore(connections, json, scans.replicaId(), embedded);
    }

    @Bean(destroyMethod = "close")
    AlertOutbox alertOutbox(ScheduleStore store, WebhookSender sender, AlertProperties alerts, ScheduleMetrics metrics,
            ObjectProvider<Clock> clock, ScheduleProperties properties) {
        return new AlertOutbox(store, sender, alerts, metrics, clock.getIfAvailable(Clock::systemUTC),
                properties.pollInterval());
    }

    @Bean(destroyMethod = "close")
    ScheduleRunner scheduleRunner(ScheduleStore store, ScanRegistry registry, ScanExport export, ScanDiff diff,
            AlertOutbox outbox, ScheduleMetrics metrics, JsonMapper json, ObjectProvider<Clock> clock,
            StoreProperties storeProperties, ScheduleProperties properties, ShutdownSignal shutdown) {
        return new ScheduleRunner(store, registry, export, diff, outbox, metrics, json,
                clock.getIfAvailable(Clock::systemUTC), storeProperties.leaseTime(), properties.pollInterval(),
                properties.catchUp(), shutdown.stopped());
    }

    @Bean
    Schedules schedules(ScheduleStore store, ScheduleValidation validation, ScheduleRunner runner,
            ObjectProvider<Clock> clock) {
        return new Schedules(store, validation, runner, clock.getIfAvailable(Clock::systemUTC));
    }

    /**
     * The declared schedules, written before the application is ready; a bad one stops the start, naming it. Those
     * that an earlier start declared and this one does not are deleted.
     */
    @Bean
    ApplicationRunner declaredSchedules(Schedules schedules, ScheduleProperties properties) {
        return args -> {
            List<ScheduleSpec> specs = new ArrayList<>();
            for (ScheduleProperties.Declared declared : properties.declared()) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("name", declared.name());
                body.put("cron", declared.cron());
                body.put("zone", declared.zone());
                body.put("enabled", declared.enabled());
                body.put("scan", declared.scan() == null ? null : new LinkedHashMap<String, Object>(declared.scan()));
                if (declared.webhook() != null && !declared.webhook().isBlank()) {
                    body.put("alerts", Map.of("webhook", declared.webhook()));
                }
                try {
                    specs.add(ScheduleBody.parse(body));
                } catch (RuntimeException e) {
                    throw new IllegalStateException("portflux.schedules.declared '" + declared.name() + "': "
                            + e.getMessage(), e);
                }
            }
            List<String> removed = schedules.declare(specs).collectList().block(DECLARED_WAIT);
            log.info("declared schedules written: {}; no longer declared, deleted: {}",
                    specs.stream().map(ScheduleSpec::name).toList(), removed);
        };
    }
}
