package io.portflux.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KustomizeTests render the k8s/ base (k8s/base, with the embedded store) and the PostgreSQL
 * overlay with {@code kubectl kustomize} and hold both to the same hardening as the Helm chart.
 * Without kubectl on the PATH they are skipped, saying so.
 */
class KustomizeTests {

    /** What README tells users to apply: it renders k8s/base. */
    private static final Path ENTRY = Path.of("k8s");
    private static final Path BASE = Path.of("k8s/base");
    private static final Path OVERLAY = Path.of("k8s/overlays/postgresql");
    private static final AppSettings APP = AppSettings.app();
    private static Manifests manifests;
    private static Manifests overlay;

    @BeforeAll
    static void render() throws IOException, InterruptedException {
        manifests = render(ENTRY);
        overlay = render(OVERLAY);
    }

    private static Manifests render(Path kustomization) throws IOException, InterruptedException {
        Path kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "kubectl"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        Assumptions.assumeTrue(kubectl != null,
                "kubectl is not on the PATH: the k8s/ kustomize base was NOT checked. Install kubectl (CI must have it).");

        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", kustomization.toString())
                .redirectErrorStream(false)
                .start();
        // Read stdout fully before waiting, so a large render cannot block on a full pipe.
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize %s failed:%n%s", kustomization, err).isZero();
        return Manifests.parse(out);
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
        assertThat(Files.readString(ENTRY.resolve("kustomization.yaml"))).doesNotContain("commonLabels");
        assertThat(Files.readString(OVERLAY.resolve("kustomization.yaml"))).doesNotContain("commonLabels");
    }

    @Test
    void deploymentIsRestrictedAndMatchesTheApp() {
        assertDeploymentIsRestrictedAndMatchesTheApp(manifests);
    }

    private static void assertDeploymentIsRestrictedAndMatchesTheApp(Manifests manifests) {
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

    // ---- the store ----

    @Test
    void theBaseKeepsTheEmbeddedStoreOnAnEmptyDirAtDataWithOneReplica() {
        Deployment deployment = manifests.single(Deployment.class);
        Volume data = Hardening.assertEmbeddedStore(deployment.getSpec().getTemplate().getSpec(), Hardening.portflux(deployment));
        assertThat(data.getEmptyDir()).as("/data is an emptyDir").isNotNull();
        assertThat(deployment.getSpec().getReplicas()).as("the embedded store serves one replica only").isEqualTo(1);
        assertThat(manifests.single(Service.class).getSpec().getSessionAffinity()).isNull();
    }

    @Test
    void thePostgresqlOverlayAddsTheDatabaseWithNoMisspeltFields() {
        assertThat(overlay.kinds()).containsExactly(
                "ConfigMap", "Deployment", "Secret", "Service", "Service", "ServiceAccount", "StatefulSet");
        assertThat(overlay.unknownFields()).as("misspelt or misplaced fields").isEmpty();
        overlay.all().forEach(object -> assertThat(object.getMetadata().getLabels())
                .as("labels of %s %s", object.getKind(), object.getMetadata().getName())
                .containsEntry("app.kubernetes.io/part-of", "portflux")
                .containsEntry("app.kubernetes.io/instance", "portflux"));
    }

    @Test
    void thePostgresqlOverlaysDeploymentKeepsTheBasesHardening() {
        assertDeploymentIsRestrictedAndMatchesTheApp(overlay);
    }

    @Test
    void thePostgresqlOverlayPointsPortfluxAtItsDatabaseWithTheCredentialsFromOneSecret() {
        StatefulSet statefulSet = overlay.single(StatefulSet.class);
        Container postgres = Hardening.assertPostgresql(statefulSet, 70);
        Service database = named(Service.class, "portflux-postgresql");
        assertThat(database.getSpec().getSelector()).isEqualTo(statefulSet.getSpec().getSelector().getMatchLabels());
        assertThat(statefulSet.getSpec().getServiceName()).isEqualTo(database.getMetadata().getName());
        assertThat(database.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(5432);
            assertThat(port.getTargetPort().getStrVal()).isEqualTo(postgres.getPorts().get(0).getName());
        });

        // PortFlux's Service and Deployment never select the database pod.
        Deployment deployment = overlay.single(Deployment.class);
        Map<String, String> databasePod = statefulSet.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(databasePod.entrySet().containsAll(named(Service.class, "portflux").getSpec().getSelector().entrySet())).isFalse();
        assertThat(databasePod.entrySet().containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet())).isFalse();

        // The URL names the database's Service; user and password come from the generated Secret,
        // the same one PostgreSQL was initialised from.
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = Hardening.portflux(deployment);
        SecretKeySelector password = Hardening.assertPostgresqlStore(pod, container);
        assertThat(pod.getVolumes()).extracting(Volume::getName).doesNotContain("data");
        assertThat(Hardening.env(container, "SPRING_R2DBC_URL"))
                .isEqualTo("r2dbc:postgresql://" + database.getMetadata().getName() + ":5432/" + Hardening.env(postgres, "POSTGRES_DB"));
        Secret secret = overlay.single(Secret.class);
        assertThat(secret.getMetadata().getName()).as("the generated name, with its content hash").matches("portflux-postgresql-[a-z0-9]{10}");
        assertThat(password).isEqualTo(new SecretKeySelector("password", secret.getMetadata().getName(), null));
        assertThat(secretRef(postgres, "POSTGRES_PASSWORD")).isEqualTo(password);
        assertThat(secretRef(container, "SPRING_R2DBC_USERNAME")).isEqualTo(secretRef(postgres, "POSTGRES_USER"))
                .isEqualTo(new SecretKeySelector("username", secret.getMetadata().getName(), null));
        assertThat(secret.getData()).containsOnlyKeys("username", "password");

        // The password is in the Secret only.
        String plain = new String(Base64.getDecoder().decode(secret.getData().get("password")), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(plain).isNotBlank();
        for (HasMetadata object : overlay.all()) {
            if (!(object instanceof Secret)) {
                assertThat(io.fabric8.kubernetes.client.utils.Serialization.asYaml(object)).as(object.getKind())
                        .doesNotContain(plain).doesNotContain(secret.getData().get("password"));
            }
        }
    }

    @Test
    void theOverlaysPlaceholderPasswordIsMarkedForChanging() throws IOException {
        String env = Files.readString(OVERLAY.resolve("postgresql.env"));
        String password = env.lines().filter(l -> l.startsWith("password=")).findFirst().orElseThrow().substring("password=".length());
        assertThat(password).startsWith("CHANGE-ME");
        assertThat(env).contains("CHANGE THE PASSWORD BEFORE THE FIRST APPLY");
        assertThat(new String(Base64.getDecoder().decode(overlay.single(Secret.class).getData().get("password")),
                java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(password);
    }

    private static <T extends HasMetadata> T named(Class<T> type, String name) {
        return overlay.ofType(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    private static SecretKeySelector secretRef(Container container, String name) {
        EnvVar env = container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name + " on " + container.getName()));
        assertThat(env.getValue()).as(name).isNull();
        return env.getValueFrom().getSecretKeyRef();
    }
}
