package io.portflux.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
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
 * mounted configuration, shutdown timings that add up, and the store (the embedded one's volume,
 * or PostgreSQL with its password from a Secret, and the trial PostgreSQL itself).
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
    static final String MEASURED_MEMORY_LIMIT = "384Mi";

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

    /** Where the embedded store keeps its files: PORTFLUX_STORE_PATH, on a volume of its own. */
    static final String STORE_PATH = "/data";

    /**
     * The embedded store: PORTFLUX_STORE_PATH names a writable volume (the root filesystem is
     * read-only) and no database is configured. Returns that volume.
     */
    static Volume assertEmbeddedStore(PodSpec pod, Container container) {
        assertThat(env(container, "PORTFLUX_STORE_PATH")).isEqualTo(STORE_PATH);
        VolumeMount mount = container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(STORE_PATH))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume mounted at " + STORE_PATH));
        assertThat(mount.getReadOnly()).as("the store's volume is writable").isNotEqualTo(Boolean.TRUE);
        assertThat(container.getEnv()).extracting(EnvVar::getName).noneMatch(name -> name.startsWith("SPRING_R2DBC_"));
        return volume(pod, mount.getName());
    }

    /**
     * The store is PostgreSQL: SPRING_R2DBC_URL is set, the password comes from a Secret (never a
     * value), and nothing of the embedded store is left. Returns the password's Secret reference.
     */
    static SecretKeySelector assertPostgresqlStore(PodSpec pod, Container container) {
        assertThat(env(container, "SPRING_R2DBC_URL")).startsWith("r2dbc:postgresql://").doesNotContain("@");
        EnvVar password = container.getEnv().stream()
                .filter(e -> e.getName().equals("SPRING_R2DBC_PASSWORD"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no SPRING_R2DBC_PASSWORD"));
        assertThat(password.getValue()).as("the password is never a plain value").isNull();
        assertThat(password.getValueFrom().getSecretKeyRef()).as("the password comes from a Secret").isNotNull();
        assertThat(container.getEnv()).extracting(EnvVar::getName).contains("SPRING_R2DBC_USERNAME")
                .doesNotContain("PORTFLUX_STORE_PATH");
        assertThat(container.getVolumeMounts()).extracting(VolumeMount::getMountPath).doesNotContain(STORE_PATH);
        return password.getValueFrom().getSecretKeyRef();
    }

    /**
     * A one-pod PostgreSQL as restricted as the official image allows: the image's own non-root
     * user, every writable path a volume (the data on the claim template, the socket directory and
     * /tmp on emptyDirs, PGDATA a directory inside the data volume), pg_isready for every probe and
     * the password from a Secret. Returns the container.
     */
    static Container assertPostgresql(StatefulSet statefulSet, long uid) {
        assertThat(statefulSet.getSpec().getReplicas()).isEqualTo(1);
        PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        assertRestricted(pod);
        assertFixedIdentity(pod, uid);
        assertThat(pod.getContainers()).hasSize(1);
        Container postgres = pod.getContainers().get(0);
        assertResources(postgres);
        assertThat(postgres.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(5432));
        for (Probe probe : List.of(postgres.getStartupProbe(), postgres.getLivenessProbe(), postgres.getReadinessProbe())) {
            assertThat(probe).isNotNull();
            assertThat(probe.getExec().getCommand()).first().isEqualTo("pg_isready");
        }
        assertThat(postgres.getVolumeMounts()).extracting(VolumeMount::getMountPath)
                .containsExactlyInAnyOrder("/var/lib/postgresql/data", "/var/run/postgresql", "/tmp");
        assertThat(env(postgres, "PGDATA")).startsWith("/var/lib/postgresql/data/");
        for (String path : List.of("/var/run/postgresql", "/tmp")) {
            String name = postgres.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst().orElseThrow().getName();
            assertThat(volume(pod, name).getEmptyDir()).as(path + " is an emptyDir").isNotNull();
        }
        assertThat(statefulSet.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
            assertThat(claim.getMetadata().getName()).isEqualTo(postgres.getVolumeMounts().stream()
                    .filter(m -> m.getMountPath().equals("/var/lib/postgresql/data")).findFirst().orElseThrow().getName());
            assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        });
        EnvVar password = postgres.getEnv().stream().filter(e -> e.getName().equals("POSTGRES_PASSWORD")).findFirst().orElseThrow();
        assertThat(password.getValue()).isNull();
        assertThat(password.getValueFrom().getSecretKeyRef()).isNotNull();
        return postgres;
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
