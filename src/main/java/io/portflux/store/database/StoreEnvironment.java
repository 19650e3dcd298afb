package io.portflux.store.database;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * StoreEnvironment makes {@code spring.r2dbc.url} the one database setting: without it, the embedded H2
 * file under {@code portflux.store.path}; with it or without, Flyway's JDBC URL and credentials derived
 * from it, unless {@code spring.flyway.url} is set on its own.
 *
 * <p>It runs after the configuration files are read, and resolves the URL once, so that a placeholder such
 * as {@code ${random.uuid}} names the same database for R2DBC and for Flyway.
 */
public final class StoreEnvironment implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE = "portfluxStore";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String given = environment.getProperty("spring.r2dbc.url");
        String url = StoreUrls.withH2Options(given == null || given.isBlank()
                ? StoreUrls.embedded(environment.getProperty("portflux.store.path", "./data"))
                : given);
        Map<String, Object> derived = new LinkedHashMap<>();
        derived.put("spring.r2dbc.url", url);
        if (environment.getProperty("spring.flyway.url") == null) {
            derived.put("spring.flyway.url", StoreUrls.jdbc(url));
            copy(environment, "spring.r2dbc.username", "spring.flyway.user", derived);
            copy(environment, "spring.r2dbc.password", "spring.flyway.password", derived);
        }
        environment.getPropertySources().addFirst(new MapPropertySource(SOURCE, derived));
    }

    private static void copy(ConfigurableEnvironment environment, String from, String to, Map<String, Object> into) {
        String value = environment.getProperty(from);
        if (value != null) {
            into.put(to, value);
        }
    }

    @Override
    public int getOrder() {
        // After the config data (application.yaml, profiles, environment variables) has been loaded.
        return Ordered.LOWEST_PRECEDENCE;
    }
}
