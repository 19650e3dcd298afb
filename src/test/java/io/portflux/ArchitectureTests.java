package io.portflux;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** ArchitectureTests keep the layer arrows pointing one way: web → scan ← probe. */
class ArchitectureTests {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.portflux");

    @Test
    void theEngineKnowsNeitherSpringNorNetty() {
        noClasses().that().resideInAPackage("io.portflux.scan..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.springframework..", "io.netty..", "reactor.netty..", "io.portflux.probe..",
                        "io.portflux.web..", "io.portflux.config..")
                .check(MAIN);
    }

    @Test
    void theProbeLayerKnowsNoSpringWebAndNoWebLayer() {
        noClasses().that().resideInAPackage("io.portflux.probe..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.springframework.web..", "org.springframework.http..", "io.portflux.web..")
                .check(MAIN);
    }

    @Test
    void onlyTheProbeLayerTouchesNetty() {
        noClasses().that().resideOutsideOfPackages("io.portflux.probe..", "io.portflux.config..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "reactor.netty..")
                .check(MAIN);
    }
}
