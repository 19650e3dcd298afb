package io.portflux;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** PortFlux is a reactive TCP connect port scanner served over HTTP and Server-Sent Events. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PortFluxApplication {

    public static void main(String[] args) {
        SpringApplication.run(PortFluxApplication.class, args);
    }
}
