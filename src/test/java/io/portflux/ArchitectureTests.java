package io.portflux;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ArchitectureTests keep the arrows between PortFlux's features pointing one way:
 *
 * <pre>
 *   input ← port ← target ← scan.space
 *                    ↑         ↑
 *               scan.event ← scan ← probe ← metrics ← config
 *                    ↑         ↓       ↑
 *                    scan.service ← detect (the engine's seam is ServiceDetector)
 *                    ↑         ↑
 *   web.problem ← web.access ← web.scans → web.stream, web.quota;  web (ProblemAdvice) → all of web
 *                                 ↓
 *                               store → scan, scan.event (the store's seam is ScanStore)
 *   web.scans → cluster → store, scan, scan.shard;  metrics → cluster (its seam is ShardObserver)
 * </pre>
 *
 * The engine (input, port, target, scan and its sub-packages) knows neither Spring Web nor Netty; only the
 * probe layer and the wiring in config touch Netty; and no two packages depend on each other.
 */
class ArchitectureTests {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // Spring AOT's generated bean definitions (X__BeanDefinitions) are Spring's code, written
            // into our packages by `package`; the rules are about the code we write.
            .withImportOption(location -> !location.contains("__"))
            .importPackages("io.portflux");

    private static final String[] ENGINE = {"io.portflux.input..", "io.portflux.port..", "io.portflux.target..",
        "io.portflux.scan.."};

    @Test
    void noTwoPackagesDependOnEachOther() {
        slices().matching("io.portflux.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theEngineKnowsNeitherSpringWebNorNettyNorTheLayersAboveIt() {
        noClasses().that().resideInAnyPackage(ENGINE)
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.springframework.web..", "org.springframework.http..", "io.netty..", "reactor.netty..",
                        "io.portflux.probe..", "io.portflux.web..", "io.portflux.config..", "io.portflux.metrics..")
                .check(MAIN);
    }

    @Test
    void theEngineUsesSpringOnlyToBindItsProperties() {
        // The property records check their own values (io.portflux.input.Settings): no Bean Validation.
        noClasses().that().resideInAnyPackage(ENGINE)
                .should().dependOnClassesThat(resideInAPackage("org.springframework..")
                        .and(not(resideInAPackage("org.springframework.boot.context.properties.."))))
                .check(MAIN);
    }

    @Test
    void theFeaturesBelowTheScanDoNotKnowIt() {
        noClasses().that().resideInAnyPackage("io.portflux.input..", "io.portflux.port..", "io.portflux.target..")
                .should().dependOnClassesThat().resideInAnyPackage("io.portflux.scan..")
                .check(MAIN);
        noClasses().that().resideInAnyPackage("io.portflux.input..", "io.portflux.port..")
                .should().dependOnClassesThat().resideInAPackage("io.portflux.target..")
                .check(MAIN);
    }

    @Test
    void detectionKnowsNoWebNoStoreAndTheEngineOnlyThroughItsSeam() {
        noClasses().that().resideInAPackage("io.portflux.detect..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.springframework.web..", "org.springframework.http..", "io.portflux.web..",
                        "io.portflux.store..", "io.portflux.metrics..", "io.portflux.config..", "io.portflux.scan")
                .check(MAIN);
    }

    @Test
    void theProbeLayerKnowsNoSpringWebAndNoWebLayer() {
        noClasses().that().resideInAPackage("io.portflux.probe..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.springframework.web..", "org.springframework.http..", "io.portflux.web..",
                        "io.portflux.metrics..", "io.portflux.config..")
                .check(MAIN);
    }

    @Test
    void onlyTheProbeLayerDetectionAndTheirWiringTouchNetty() {
        noClasses().that(not(resideInAnyPackage("io.portflux.probe..", "io.portflux.detect..", "io.portflux.config..")))
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "reactor.netty..")
                .check(MAIN);
    }

    @Test
    void theWebFeaturesStayInTheirLanes() {
        noClasses().that().resideInAnyPackage("io.portflux.web.problem..", "io.portflux.web.stream..",
                        "io.portflux.web.quota..", "io.portflux.web.access..")
                .should().dependOnClassesThat().resideInAPackage("io.portflux.web.scans..")
                .check(MAIN);
        noClasses().that().resideInAPackage("io.portflux.web.problem..")
                .should().dependOnClassesThat(resideInAPackage("io.portflux..")
                        .and(not(resideInAPackage("io.portflux.web.problem.."))))
                .check(MAIN);
    }

    @Test
    void theStoreKnowsNoWebNoProbeAndOnlyTheEngineBelowIt() {
        noClasses().that().resideInAPackage("io.portflux.store..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.springframework.web..", "org.springframework.http..", "io.portflux.web..",
                        "io.portflux.probe..", "io.portflux.config..", "io.portflux.metrics..", "io.netty..")
                .check(MAIN);
        // R2DBC and SQL stay behind the ScanStore seam.
        noClasses().that().resideInAnyPackage("io.portflux.web..", "io.portflux.scan..", "io.portflux.probe..")
                .should().dependOnClassesThat().resideInAnyPackage("io.r2dbc..", "org.springframework.r2dbc..",
                        "org.flywaydb..")
                .check(MAIN);
    }

    @Test
    void theClusterKnowsNoWebNoNettyAndTheDatabaseOnlyThroughTheStore() {
        noClasses().that().resideInAPackage("io.portflux.cluster..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.springframework.web..", "org.springframework.http..", "io.portflux.web..",
                        "io.portflux.probe..", "io.portflux.metrics..", "io.portflux.config..", "io.netty..",
                        "reactor.netty..", "io.r2dbc..", "org.springframework.r2dbc..", "org.flywaydb..")
                .check(MAIN);
    }

    @Test
    void oneLoggingApiSlf4j() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.apache.commons.logging..",
                        "java.util.logging..", "org.apache.logging.log4j..")
                .orShould().dependOnClassesThat().belongToAnyOf(System.Logger.class)
                .check(MAIN);
    }

    @Test
    void noPackageHoldsMoreThanFifteenClasses() throws IOException {
        try (Stream<Path> dirs = Files.walk(Path.of("src/main/java/io/portflux"))) {
            dirs.filter(Files::isDirectory).forEach(dir -> {
                try (Stream<Path> files = Files.list(dir)) {
                    long count = files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java")).count();
                    assertThat(count).as("classes in %s", dir).isLessThanOrEqualTo(16);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }
}
