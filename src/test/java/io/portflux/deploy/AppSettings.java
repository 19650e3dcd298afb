package io.portflux.deploy;

import io.portflux.alerts.AlertProperties;
import io.portflux.cluster.ClusterProperties;
import io.portflux.detect.DetectProperties;
import io.portflux.port.PortPolicyProperties;
import io.portflux.probe.ProbeProperties;
import io.portflux.scan.ScanProperties;
import io.portflux.schedule.ScheduleProperties;
import io.portflux.target.TargetProperties;
import io.portflux.web.access.SecurityProperties;
import io.portflux.web.quota.QuotaProperties;
import io.portflux.web.scans.RegistryProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * AppSettings is a flattened Spring configuration document (the app's own application.yaml, or
 * one rendered by the chart) and binds it to the app's real {@code @ConfigurationProperties}.
 */
record AppSettings(Map<String, Object> properties) {

    static final Path APP_YAML = Path.of("src/main/resources/application.yaml");

    /** The property records of the app and their prefixes. */
    static final Map<String, Class<?>> PORTFLUX_RECORDS = Map.ofEntries(
            Map.entry("portflux.scan", ScanProperties.class),
            Map.entry("portflux.targets", TargetProperties.class),
            Map.entry("portflux.ports", PortPolicyProperties.class),
            Map.entry("portflux.probe", ProbeProperties.class),
            Map.entry("portflux.scans", RegistryProperties.class),
            Map.entry("portflux.security", SecurityProperties.class),
            Map.entry("portflux.quotas", QuotaProperties.class),
            Map.entry("portflux.detect", DetectProperties.class),
            Map.entry("portflux.alerts", AlertProperties.class),
            Map.entry("portflux.schedules", ScheduleProperties.class),
            Map.entry("portflux.cluster", ClusterProperties.class));

    static AppSettings app() {
        try {
            return parse(Files.readString(APP_YAML, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flattens a YAML document the way Spring Boot does ({@code a.b[0].c} keys). */
    static AppSettings parse(String yaml) {
        try {
            List<PropertySource<?>> sources = new YamlPropertySourceLoader()
                    .load("yaml", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)));
            Map<String, Object> flat = new LinkedHashMap<>();
            for (PropertySource<?> source : sources) {
                EnumerablePropertySource<?> enumerable = (EnumerablePropertySource<?>) source;
                for (String name : enumerable.getPropertyNames()) {
                    flat.putIfAbsent(name, OriginTrackedValue.class.isInstance(enumerable.getProperty(name))
                            ? ((OriginTrackedValue) enumerable.getProperty(name)).getValue()
                            : enumerable.getProperty(name));
                }
            }
            return new AppSettings(Map.copyOf(flat));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** These settings with {@code base} underneath: keys here win, as in an additional location. */
    AppSettings layeredOver(AppSettings base) {
        Map<String, Object> merged = new LinkedHashMap<>(base.properties());
        merged.putAll(properties);
        return new AppSettings(Map.copyOf(merged));
    }

    String string(String key) {
        Object value = properties.get(key);
        if (value == null) {
            throw new AssertionError("no property " + key + " in " + properties.keySet());
        }
        return value.toString();
    }

    ConfigurationPropertySource source() {
        return new MapConfigurationPropertySource(properties);
    }

    /**
     * Binds one record from these settings alone, failing on any key under the prefix that does not
     * bind to a record component (a renamed or misspelt property) and on any value the record rejects.
     */
    <T> T bindStrictly(String prefix, Class<T> type) {
        return bind(List.of(source()), prefix, type);
    }

    /** Binds one record from these settings layered over {@code base}, as an additional location is. */
    <T> T bindOver(AppSettings base, String prefix, Class<T> type) {
        return bind(List.of(source(), base.source()), prefix, type);
    }

    private static <T> T bind(List<ConfigurationPropertySource> sources, String prefix, Class<T> type) {
        Binder binder = new Binder(sources, null, ApplicationConversionService.getSharedInstance());
        // The records check their own values as they are built, so a bad value fails the binding here too.
        var handler = new NoUnboundElementsBindHandler(
                org.springframework.boot.context.properties.bind.BindHandler.DEFAULT);
        return binder.bind(prefix, Bindable.of(type), handler)
                .orElseThrow(() -> new AssertionError("nothing bound under " + prefix));
    }
}
