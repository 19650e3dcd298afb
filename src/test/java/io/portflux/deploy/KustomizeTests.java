package io.portflux.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KustomizeTests render the k8s/ base with {@code kubectl kustomize} and hold it to the same
 * hardening as the Helm chart. Without kubectl on the PATH they are skipped, saying so.
 */
class KustomizeTests {

    private static final Path BASE = Path.of("k8s");
    private static final AppSettings APP = AppSettings.app();
    private static Manifests manifests;

    @BeforeAll
    static void render() throws IOException, InterruptedException {
        Path kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "kubectl"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        Assumptions.assumeTrue(kubectl != null,
                "kubectl is not on the PATH: the k8s/ kustomize base was NOT checked. Install kubectl (CI must have it).");

        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", BASE.toString())
                .redirectErrorStream(false)
                .start();
        // Read stdout fully before waiting, so a large render cannot block on a full pipe.
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize k8s/ failed:%n%s", err).isZero();
        manifests = Manifests.parse(out);
    }

    @Test
    void rendersTheSameCoreObjectsAsTheChartWithNoMisspeltFields() {
        assertThat(manifests.kinds()).containsExactly("ConfigMap", "Deployment", "Service", "ServiceAccount");
        assertThat(manifests.unknownFields()).as("misspelt or misplaced fields").isEmpty();
        manifests.all().forEach(object -> assertThat(object.getMetadata().getLabels())
                .as("labels of %s", object.getKind())
                .containsEntry("app.kubernetes.io/name", "portflux")
                .containsEntry("app.kubernetes.io/part-of", "portflux"));
    }

    @Test
    void usesLabelsNotTheDeprecatedCommonLabels() throws IOException {
        String kustomization = Files.readString(BASE.resolve("kustomization.yaml"));
        assertThat(kustomization).doesNotContain("commonLabels").contains("includeSelectors: true");
    }

    @Test
    void deploymentIsRestrictedAndMatchesTheApp() {
        Deployment deployment = manifests.single(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = Hardening.portflux(deployment);
        Hardening.assertRestricted(pod);
        Hardening.assertFixedIdentity(pod, HelmChartTests.UID);
        Hardening.assertTmpIsWritable(pod, container);
        Hardening.assertResources(container);
        Hardening.assertProbes(container, APP);
        Hardening.assertHttpPort(container, Integer.parseInt(APP.string("server.port")));
        AppSettings mounted = Hardening.assertMountedConfig(pod, container, manifests.ofType(ConfigMap.class));
        assertThat(mounted.string("server.port")).isEqualTo(APP.string("server.port"));
        Hardening.assertShutdownFits(pod, container, Hardening.shutdownPhase(mounted, APP), HelmChartTests.JVM_EXIT_MARGIN_SECONDS);
        assertThat(container.getImage()).isEqualTo("portflux/portflux:0.1.0");
        Hardening.assertMeasuredMemory(container);
    }

    @Test
    void configMapBindsToTheAppPropertiesAndRepeatsTheAppDefaults() {
        Deployment deployment = manifests.single(Deployment.class);
        AppSettings mounted = Hardening.assertMountedConfig(deployment.getSpec().getTemplate().getSpec(),
                Hardening.portflux(deployment), manifests.ofType(ConfigMap.class));
        assertThat(mounted.properties().keySet()).allSatisfy(key -> assertThat(
                        key.equals("server.port")
                                || key.equals("spring.lifecycle.timeout-per-shutdown-phase")
                                || AppSettings.PORTFLUX_RECORDS.keySet().stream().anyMatch(p -> key.startsWith(p + ".")))
                .as("%s is a known key", key).isTrue());
        for (var entry : AppSettings.PORTFLUX_RECORDS.entrySet()) {
            assertThat(mounted.bindStrictly(entry.getKey(), entry.getValue()))
                    .as("%s from the kustomize ConfigMap", entry.getKey())
                    .isEqualTo(APP.bindStrictly(entry.getKey(), entry.getValue()));
        }
    }

    @Test
    void serviceSelectsThePodsOnTheHttpPortAndTheTokenIsNotMounted() {
        Deployment deployment = manifests.single(Deployment.class);
        Service service = manifests.single(Service.class);
        assertThat(service.getSpec().getSelector()).isNotEmpty()
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
        ServiceAccount account = manifests.single(ServiceAccount.class);
        assertThat(account.getAutomountServiceAccountToken()).isFalse();
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(account.getMetadata().getName());
        // The generated ConfigMap name carries a content hash and the Deployment refers to it.
        ConfigMap configMap = manifests.single(ConfigMap.class);
        assertThat(configMap.getMetadata().getName()).matches("portflux-[a-z0-9]{10}");
    }

    @Test
    void tokensComeFromAnOptionalSecretAndNeverFromTheConfigMap() {
        Container container = Hardening.portflux(manifests.single(Deployment.class));
        var tokens = container.getEnv().stream().filter(e -> e.getName().equals("PORTFLUX_SECURITY_TOKENS")).findFirst()
                .orElseThrow(() -> new AssertionError("no PORTFLUX_SECURITY_TOKENS env var"));
        assertThat(tokens.getValue()).isNull();
        assertThat(tokens.getValueFrom().getSecretKeyRef().getName()).isEqualTo("portflux-tokens");
        assertThat(tokens.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("tokens");
        // Optional: without the Secret the pod still starts, with authentication off.
        assertThat(tokens.getValueFrom().getSecretKeyRef().getOptional()).isTrue();
        String config = manifests.single(ConfigMap.class).getData().get("application.yaml");
        assertThat(AppSettings.parse(config).properties().keySet()).noneMatch(k -> k.startsWith("portflux.security.tokens"));
    }
}
