package io.portflux;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** PortFlux is a reactive TCP connect port scanner served over HTTP and Server-Sent Events. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PortFluxApplication {

    /** Netty's switch for its JFR buffer events; {@code -Dio.netty.jfr.enabled=true} turns them back on. */
    static final String NETTY_JFR = "io.netty.jfr.enabled";

    public static void main(String[] args) {
        nettyJfrEventsOffUnlessAsked();
        SpringApplication application = new SpringApplication(PortFluxApplication.class);
        // Here rather than as spring.main.banner-mode: with no spring.main.* property, Boot skips binding them
        // to SpringApplication, which read all of its setters by reflection (about 40 ms of a start).
        application.setBannerMode(Banner.Mode.OFF);
        application.run(args);
    }

    /**
     * Netty 4.2 sends JFR events about its buffers whenever the JVM could record them, so its first buffers load
     * JFR's machinery and instrument its event classes, recording or not: 99 of JFR's classes by ready instead of 16,
     * and 20-40 ms of the first HTTP request (README "Footprint"). They stay off unless
     * {@code -Dio.netty.jfr.enabled} says so.
     */
    static void nettyJfrEventsOffUnlessAsked() {
        if (System.getProperty(NETTY_JFR) == null) {
            System.setProperty(NETTY_JFR, "false");
        }
    }
}
