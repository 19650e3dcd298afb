package io.portflux;

import inet.ipaddr.IPAddressString;
import io.portflux.detect.NettyServiceDetector;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

/**
 * StartupWarmup does, on a thread of its own, the first-use work of the libraries a start goes through: loading,
 * linking and initializing their classes, and running their code once.
 *
 * <p>A start is one main thread that builds every bean in turn, and on a cold JVM most of its time goes to code run
 * for the first time (Hibernate Validator's bootstrap, Jackson's first mapper, the address library, Netty's native
 * transports and TLS). None of that depends on the application's settings, so it can run beside the main thread on
 * the second core: when the main thread gets there, the classes are initialized and it goes on. Each step only
 * builds and drops objects; a step that fails changes nothing (the main thread meets the same failure and reports
 * it). It starts once logging is configured, so what the libraries log follows the application's settings.
 */
final class StartupWarmup implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    static final String ENABLED = "portflux.startup.warmup";
    private static final Logger log = LoggerFactory.getLogger(StartupWarmup.class);

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        if (!event.getEnvironment().getProperty(ENABLED, Boolean.class, true)) {
            return;
        }
        Thread thread = new Thread(StartupWarmup::run, "portflux-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs every step; returns what failed (nothing, unless a library changed). */
    static List<String> run() {
        List<String> failed = new java.util.ArrayList<>();
        List<Runnable> steps = List.of(
                StartupWarmup::validation,
                StartupWarmup::json,
                StartupWarmup::addresses,
                () -> initialize("io.netty.channel.epoll.Epoll", "io.netty.channel.uring.IoUring",
                        "reactor.netty.http.server.HttpServer", "reactor.netty.tcp.TcpClient",
                        "reactor.netty.http.client.HttpClient", "io.netty.resolver.dns.DnsNameResolverBuilder",
                        "io.micrometer.prometheusmetrics.PrometheusMeterRegistry", "org.h2.engine.Engine"),
                NettyServiceDetector::prepare);
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException | LinkageError e) {
                log.debug("start-up warm-up step failed (the start meets it again): {}", e.toString());
                failed.add(e.toString());
            }
        }
        return failed;
    }

    private static void validation() {
        try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
            factory.getValidator().validate(new Object());
        }
    }

    private static void json() {
        JsonMapper mapper = JsonMapper.builder().build();
        mapper.readTree(mapper.writeValueAsString(Map.of("warm", List.of(1, "up"))));
    }

    private static void addresses() {
        new IPAddressString("10.0.0.0/8").getAddress().toPrefixBlock();
        new IPAddressString("fd00::/8").getAddress().toPrefixBlock();
    }

    private static void initialize(String... classes) {
        ClassLoader loader = StartupWarmup.class.getClassLoader();
        for (String name : classes) {
            try {
                Class.forName(name, true, loader);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(name + " is not on the class path", e);
            }
        }
    }

    @Override
    public int getOrder() {
        return LoggingApplicationListener.DEFAULT_ORDER + 1;
    }
}
