package io.portflux;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** PortFlux is a reactive TCP connect port scanner served over HTTP and Server-Sent Events. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PortFluxApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(PortFluxApplication.class);
        // Here rather than as spring.main.banner-mode: with no spring.main.* property, Boot skips binding them
        // to SpringApplication, which read all of its setters by reflection (about 40 ms of a start).
        application.setBannerMode(Banner.Mode.OFF);
        application.run(args);
    }
}
