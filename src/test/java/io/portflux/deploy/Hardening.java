package io.portflux.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.boot.convert.DurationStyle;

/**
 * Hardening holds the checks that the Helm chart and the kustomize base share: the Pod Security
 * Standards "restricted" profile, probes on the app's real actuator paths, the app's port, the
 * mounted configuration and shutdown timings that add up.
 */
final class Hardening {

    private Hardening() {}

    static Container portflux(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).extracting(Container::getName).contains("portflux");
        return containers.stream().filter(c -> c.getName().equals("portflux")).findFirst().orElseThrow();
    }

    /** Every field the "restricted" profile asks for, at pod and container level, plus a writable /tmp only. */
    static void assertRestricted(PodSpec pod) {
        PodSecurityContext podContext = pod.getSecurityContext();
        assertThat(podContext).as("pod securityContext").isNotNull();
        assertThat(podContext.getRunAsNonRoot()).as("pod runAsNonRoot").isTrue();
        assertThat(podContext.getRunAsUser()).as("pod runAsUser").isNotNull().isPositive();
        assertThat(podContext.getRunAsGroup()).as("pod runAsGroup").isNotNull().isPositive();
        assertThat(podContext.getSeccompProfile()).as("pod seccompProfile").isNotNull();
        assertThat(podContext.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getHostNetwork()).as("hostNetwork").isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostPID()).as("hostPID").isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostIPC()).as("hostIPC").isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getAutomountServiceAccountToken()).as("automountServiceAccountToken").isFalse();

        for (Container container : pod.getContainers()) {
            SecurityContext c = container.getSecurityContext();
            String name = "container " + container.getName();
            assertThat(c).as(name + " securityContext").isNotNull();
            assertThat(c.getRunAsNonRoot()).as(name + " runAsNonRoot").isNotEqualTo(Boolean.FALSE);
            if (c.getRunAsUser() != null) {
                assertThat(c.getRunAsUser()).as(name + " runAsUser").isPositive();
            }
            assertThat(c.getAllowPrivilegeEscalation()).as(name + " allowPrivilegeEscalation").isFalse();
            assertThat(c.getPrivileged()).as(name + " privileged").isNotEqualTo(Boolean.TRUE);
            assertThat(c.getReadOnlyRootFilesystem()).as(name + " readOnlyRootFilesystem").isTrue();
            assertThat(c.getCapabilities()).as(name + " capabilities").isNotNull();
            assertThat(c.getCapabilities().getDrop()).as(name + " capabilities.drop").containsExactly("ALL");
            assertThat(c.getCapabilities().getAdd()).as(name + " capabilities.add").isNullOrEmpty();
            assertThat(c.getSeccompProfile()).as(name + " seccompProfile").isNotNull();
            assertThat(c.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(container.getPorts()).as(name + " hostPort").allSatisfy(p -> assertThat(p.getHostPort()).isNull());
        }
    }

    /** The pod runs the fixed UID and GID the image is built with (see the Dockerfile). */
    static void assertFixedIdentity(PodSpec pod, long uid) {
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(uid);
        assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(uid);
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(uid);
    }

    /** /tmp is an emptyDir, the only writable path, and the JVM puts its temporary files there. */
    static void assertTmpIsWritable(PodSpec pod, Container container) {
        VolumeMount tmp = container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/tmp"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume mounted at /tmp"));
        assertThat(tmp.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        Volume volume = volume(pod, tmp.getName());
        assertThat(volume.getEmptyDir()).as("/tmp volume is an emptyDir").isNotNull();
        assertThat(env(container, "JAVA_TOOL_OPTIONS"))
                .contains("-Djava.io.tmpdir=/tmp")
                .containsPattern("-XX:MaxRAMPercentage=[1-8][0-9](\\.0)?\\b");
    }

    /** The default memory limit: what bench/footprint.sh measured a full-range scan with 50 watchers in. */
    static final String MEASURED_MEMORY_LIMIT = "256Mi";

    /**
     * The default pod passes the image's measured memory flags (its JAVA_TOOL_OPTIONS replaces the
     * image's) and has the memory limit they were measured under.
     */
    static void assertMeasuredMemory(Container container) {
        String dockerfile;
        try {
            dockerfile = Files.readString(Path.of("Dockerfile"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher m = Pattern.compile("(?m)^ENV PORTFLUX_MEMORY_OPTS=\"([^\"]+)\"$").matcher(dockerfile);
        assertThat(m.find()).as("PORTFLUX_MEMORY_OPTS in the Dockerfile").isTrue();
        assertThat(env(container, "JAVA_TOOL_OPTIONS").split(" ")).contains(m.group(1).split(" "));
        assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo(MEASURED_MEMORY_LIMIT);
    }

    static void assertResources(Container container) {
        assertThat(container.getResources()).isNotNull();
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
    }

    /**
     * Liveness, readiness and startup probes hit the app's actuator health groups on its http
     * port. The paths are derived from the app's own application.yaml (base path, exposure and the
     * probes switch), so turning the groups off or moving the base path breaks this check.
     */
    static void assertProbes(Container container, AppSettings app) {
        assertThat(app.string("management.endpoint.health.probes.enabled")).isEqualTo("true");
        assertThat(Arrays.stream(app.string("management.endpoints.web.exposure.include").split(","))
                        .map(String::strip))
                .contains("health");
        String base = app.properties().getOrDefault("management.endpoints.web.base-path", "/actuator").toString();
        assertThat(app.properties()).doesNotContainKey("management.server.port");

        assertHttpProbe("liveness", container.getLivenessProbe(), base + "/health/liveness", container);
        assertHttpProbe("readiness", container.getReadinessProbe(), base + "/health/readiness", container);
        assertHttpProbe("startup", container.getStartupProbe(), base + "/health/liveness", container);
    }

    private static void assertHttpProbe(String kind, Probe probe, String path, Container container) {
        assertThat(probe).as(kind + " probe").isNotNull();
        assertThat(probe.getHttpGet()).as(kind + " probe is httpGet").isNotNull();
        assertThat(probe.getHttpGet().getPath()).as(kind + " probe path").isEqualTo(path);
        var port = probe.getHttpGet().getPort();
        if (port.getStrVal() != null) {
            assertThat(container.getPorts()).extracting(ContainerPort::getName).as(kind + " probe port name").contains(port.getStrVal());
        } else {
            assertThat(container.getPorts()).extracting(ContainerPort::getContainerPort).contains(port.getIntVal());
        }
    }

    /** The container's http port is the port the app listens on. */
    static void assertHttpPort(Container container, int serverPort) {
        assertThat(container.getPorts())
                .filteredOn(p -> "http".equals(p.getName()))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.getContainerPort()).isEqualTo(serverPort);
                    assertThat(p.getProtocol()).isEqualTo("TCP");
                });
    }

    /**
     * The ConfigMap is mounted read-only and SPRING_CONFIG_ADDITIONAL_LOCATION names its
     * application.yaml key at the mount path. Returns the mounted document's settings.
     */
    static AppSettings assertMountedConfig(PodSpec pod, Container container, List<ConfigMap> configMaps) {
        String location = env(container, "SPRING_CONFIG_ADDITIONAL_LOCATION");
        assertThat(location).startsWith("file:").endsWith("/application.yaml");
        String file = location.substring("file:".length());
        String dir = file.substring(0, file.lastIndexOf('/'));
        VolumeMount mount = container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(dir))
                .findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + dir));
        assertThat(mount.getReadOnly()).isTrue();
        Volume volume = volume(pod, mount.getName());
        assertThat(volume.getConfigMap()).as("config volume is a ConfigMap").isNotNull();
        Map<String, ConfigMap> byName = configMaps.stream()
                .collect(Collectors.toMap(cm -> cm.getMetadata().getName(), Function.identity()));
        ConfigMap configMap = byName.get(volume.getConfigMap().getName());
        assertThat(configMap).as("ConfigMap %s is rendered", volume.getConfigMap().getName()).isNotNull();
        assertThat(configMap.getData()).containsKey("application.yaml");
        return AppSettings.parse(configMap.getData().get("application.yaml"));
    }

    /**
     * The kubelet's grace period starts with preStop; SIGTERM then starts Spring's shutdown phase;
     * the JVM needs a few more seconds to exit. SIGKILL must come after all three.
     */
    static void assertShutdownFits(PodSpec pod, Container container, Duration phaseTimeout, long jvmExitMarginSeconds) {
        long preStop = 0;
        if (container.getLifecycle() != null && container.getLifecycle().getPreStop() != null) {
            var preStopHandler = container.getLifecycle().getPreStop();
            if (preStopHandler.getSleep() != null) {
                preStop = preStopHandler.getSleep().getSeconds();
            } else {
                assertThat(preStopHandler.getExec()).as("preStop is a sleep action or exec sleep").isNotNull();
                List<String> command = preStopHandler.getExec().getCommand();
                assertThat(command).hasSize(2).first().isEqualTo("sleep");
                preStop = Long.parseLong(command.get(1));
            }
        }
        assertThat(preStop).as("preStop sleep seconds").isPositive();
        assertThat(pod.getTerminationGracePeriodSeconds())
                .as("terminationGracePeriodSeconds >= preStop %ds + shutdown phase %s + %ds", preStop, phaseTimeout, jvmExitMarginSeconds)
                .isGreaterThanOrEqualTo(preStop + phaseTimeout.toSeconds() + jvmExitMarginSeconds);
    }

    static Duration shutdownPhase(AppSettings mounted, AppSettings app) {
        Object value = Objects.requireNonNullElse(
                mounted.properties().get("spring.lifecycle.timeout-per-shutdown-phase"),
                app.properties().get("spring.lifecycle.timeout-per-shutdown-phase"));
        assertThat(value).as("spring.lifecycle.timeout-per-shutdown-phase is set").isNotNull();
        return DurationStyle.detectAndParse(value.toString());
    }

    static String env(Container container, String name) {
        return container.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name + " on " + container.getName()));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }
}
