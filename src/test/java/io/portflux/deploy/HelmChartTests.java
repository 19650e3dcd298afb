package io.portflux.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.portflux.cluster.ClusterProperties;
import io.portflux.detect.DetectProperties;
import io.portflux.port.PortPolicyProperties;
import io.portflux.probe.ProbeProperties;
import io.portflux.scan.ScanProperties;
import io.portflux.target.TargetPolicy;
import io.portflux.target.TargetProperties;
import io.portflux.web.quota.QuotaProperties;
import io.portflux.web.scans.RegistryProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.bind.BindException;
import org.yaml.snakeyaml.Yaml;

/** HelmChartTests lint and render helm/portflux with the helm library and check what comes out. */
class HelmChartTests {

    static final Path CHART = Path.of("helm/portflux");
    static final Path ALL_FEATURES = Path.of("src/test/resources/deploy/all-features-values.yaml");
    static final long UID = 10001;
    static final long JVM_EXIT_MARGIN_SECONDS = 5;

    private static final AppSettings APP = AppSettings.app();

    @TempDir
    Path tmp;

    private static TemplateCommand template() {
        return new Helm(CHART).template().withName("pf").withNamespace("scanners");
    }

    private static Manifests render(TemplateCommand command) {
        Manifests manifests = Manifests.parse(command.call());
        assertThat(manifests.unknownFields()).as("misspelt or misplaced fields").isEmpty();
        return manifests;
    }

    private Path valuesFile(String yaml) throws IOException {
        Path file = Files.createTempFile(tmp, "values", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    // ---- lint ----

    @Test
    void lintStrictIsClean() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.getMessages()).as("lint messages").noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
    }

    @Test
    void lintReportsAValueOutsideTheSchema() throws IOException {
        // The lint check above can fail: the same call flags a chart whose values break the schema.
        Path copy = copyChart();
        Path values = copy.resolve("values.yaml");
        String original = Files.readString(values);
        assertThat(original).contains("\nreplicaCount: 1\n");
        Files.writeString(values, original.replace("\nreplicaCount: 1\n", "\nreplicaCount: -1\n"));
        LintResult result = new Helm(copy).lint().strict().call();
        assertThat(result.isFailed()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains("replicaCount");
    }

    @Test
    void lintStrictIsCleanWithAuthOnAndAnIngressSoNotesRenderTheTokenCurl() throws IOException {
        // Lint takes no values file, so a copy gets auth and the ingress switched on in its defaults.
        Path copy = copyChart();
        Path values = copy.resolve("values.yaml");
        String original = Files.readString(values);
        assertThat(original).contains("\n  tokens: []\n").contains("\ningress:\n  enabled: false\n");
        Files.writeString(values, original.replace("\n  tokens: []\n", "\n  tokens: [lint-token-0123456789]\n")
                .replace("\ningress:\n  enabled: false\n", "\ningress:\n  enabled: true\n"));
        LintResult result = new Helm(copy).lint().strict().call();
        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
        // Lint renders NOTES.txt too: a broken reference in it fails the same call.
        Path notes = copy.resolve("templates/NOTES.txt");
        Files.writeString(notes, Files.readString(notes).replace("Authorization: Bearer $TOKEN",
                "Authorization: Bearer {{ .Values.security.nothing.here }}"));
        assertThat(new Helm(copy).lint().strict().call().isFailed()).isTrue();
    }

    // ---- defaults ----

    @Test
    void defaultsRenderTheCoreObjectsOnly() {
        Manifests manifests = render(template());
        assertThat(manifests.kinds()).containsExactly("ConfigMap", "Deployment", "Service", "ServiceAccount");
        manifests.all().forEach(object -> assertThat(object.getMetadata().getLabels())
                .as("labels of %s", object.getKind())
                .containsEntry("app.kubernetes.io/name", "portflux")
                .containsEntry("app.kubernetes.io/instance", "pf")
                .containsEntry("app.kubernetes.io/managed-by", "Helm")
                .containsEntry("app.kubernetes.io/version", "0.1.0"));
        manifests.all().forEach(object -> assertThat(object.getMetadata().getNamespace()).isEqualTo("scanners"));
    }

    @Test
    void theSmallPodFlagsAreTheImagesWithC1OnlyAndTheValuesSaySo() throws Exception {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        // Measured by PROFILE=small bench/footprint.sh in a 256 MiB limit; the values tell users what to add.
        assertThat(dockerfile).containsPattern(
                "(?m)^ENV PORTFLUX_SMALL_POD_OPTS=\"\\$\\{PORTFLUX_MEMORY_OPTS} -XX:TieredStopAtLevel=1\"$");
        assertThat(Files.readString(Path.of("helm/portflux/values.yaml")))
                .contains("For a 256Mi limit add -XX:TieredStopAtLevel=1");
    }

    @Test
    void theJitFlagIsTheImagesByDefaultAndAPodCanReplaceOrDropIt() throws Exception {
        // The image's JIT flag is in JDK_JAVA_OPTIONS, not in the ENTRYPOINT, where no pod setting could reach it.
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Matcher image = Pattern.compile("(?m)^ENV JDK_JAVA_OPTIONS=\"([^\"]+)\"$").matcher(dockerfile);
        assertThat(image.find()).as("JDK_JAVA_OPTIONS in the Dockerfile").isTrue();
        assertThat(image.group(1)).isEqualTo("-XX:CompileThresholdScaling=10");
        Matcher entrypoint = Pattern.compile("(?ms)^ENTRYPOINT \\[(.*?)]$").matcher(dockerfile);
        assertThat(entrypoint.find()).as("ENTRYPOINT in the Dockerfile").isTrue();
        assertThat(entrypoint.group(1)).doesNotContain("CompileThreshold").contains("\"-jar\", \"portflux.jar\"");

        Container byDefault = Hardening.portflux(render(template()).single(Deployment.class));
        assertThat(Hardening.env(byDefault, "JDK_JAVA_OPTIONS")).isEqualTo(image.group(1));
        Container usual = Hardening.portflux(render(template().set("jitOptions", "")).single(Deployment.class));
        assertThat(Hardening.env(usual, "JDK_JAVA_OPTIONS")).isEmpty();
    }

    @Test
    void defaultDeploymentIsRestrictedAndMatchesTheApp() {
        Manifests manifests = render(template());
        assertDeploymentFitsTheApp(manifests, APP);
        Deployment deployment = manifests.single(Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        Container container = Hardening.portflux(deployment);
        Hardening.assertFixedIdentity(deployment.getSpec().getTemplate().getSpec(), UID);
        assertThat(container.getSecurityContext().getRunAsUser()).isEqualTo(UID);
        assertThat(container.getImage()).isEqualTo("portflux/portflux:0.1.0");
        Hardening.assertMeasuredMemory(container);
        assertThat(container.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5L);
        assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(30L);
    }

    @Test
    void defaultConfigMapSetsOnlyWhatTheChartNeedsSoTheAppDefaultsHold() {
        AppSettings mounted = mountedConfig(render(template()));
        assertOnlyKnownKeys(mounted);
        // The chart does not repeat the app's defaults: only the port, the shutdown phase and the
        // allow-list (which the NetworkPolicy is made from too) are rendered.
        assertThat(mounted.properties().keySet()).containsExactlyInAnyOrder("server.port",
                "spring.lifecycle.timeout-per-shutdown-phase", "portflux.targets.allow[0]", "portflux.targets.allow[1]");
        for (var entry : AppSettings.PORTFLUX_RECORDS.entrySet()) {
            Object fromApp = AppSettings.app().bindStrictly(entry.getKey(), entry.getValue());
            assertThat(mounted.bindOver(APP, entry.getKey(), entry.getValue()))
                    .as("effective %s with the chart's defaults", entry.getKey())
                    .isEqualTo(fromApp);
        }
        assertThat(mounted.string("server.port")).isEqualTo(APP.string("server.port"));
        assertThat(Hardening.shutdownPhase(mounted, APP)).isEqualTo(Hardening.shutdownPhase(APP, APP));
    }

    @Test
    void serviceAccountTokenIsNeverMountedAndServiceTargetsTheHttpPort() {
        Manifests manifests = render(template());
        ServiceAccount account = manifests.single(ServiceAccount.class);
        assertThat(account.getAutomountServiceAccountToken()).isFalse();
        Deployment deployment = manifests.single(Deployment.class);
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(account.getMetadata().getName());

        Service service = manifests.single(Service.class);
        assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("http");
            assertThat(port.getTargetPort().getStrVal()).isEqualTo("http");
            assertThat(port.getPort()).isEqualTo(8080);
        });
    }

    @Test
    void helmTestPodScansOnePortThroughTheServiceAndWaitsForDone() throws IOException {
        // `helm template` through helm-java leaves hooks out, so render a copy of the chart in
        // which the test hook is an ordinary object, after checking that the real one is a hook.
        Path hook = CHART.resolve("templates/tests/test-scan.yaml");
        String source = Files.readString(hook);
        assertThat(source).contains("helm.sh/hook: test");
        Path copy = copyChart();
        Files.writeString(copy.resolve("templates/tests/test-scan.yaml"), source.replace("helm.sh/hook: test", "example.com/was-hook: test"));
        Manifests manifests = render(new Helm(copy).template().withName("pf").withNamespace("scanners"));

        Pod test = manifests.single(Pod.class);
        assertThat(test.getMetadata().getAnnotations()).containsEntry("example.com/was-hook", "test");
        Hardening.assertRestricted(test.getSpec());
        assertThat(test.getSpec().getRestartPolicy()).isEqualTo("Never");
        Container curl = test.getSpec().getContainers().get(0);
        Hardening.assertResources(curl);
        String script = String.join(" ", curl.getCommand()) + " " + String.join(" ", Stream.ofNullable(curl.getArgs()).flatMap(List::stream).toList());
        Service service = manifests.single(Service.class);
        assertThat(test.getMetadata().getLabels()).as("the Service must not select the test pod")
                .isNotEqualTo(service.getSpec().getSelector())
                .doesNotContainEntry("app.kubernetes.io/name", "portflux");
        assertThat(script)
                .contains("http://" + service.getMetadata().getName() + ":" + service.getSpec().getPorts().get(0).getPort()
                        + "/api/scan?targets=127.0.0.1&ports=" + APP.string("server.port"))
                .contains("curl ")
                .contains(" -N ")
                .contains("event: ?done");
        // 127.0.0.1 must be inside the default allow-list, or the hook would get a 403.
        assertThat(mountedConfig(manifests).properties()).containsEntry("portflux.targets.allow[0]", "127.0.0.0/8");
    }

    private Path copyChart() throws IOException {
        Path copy = tmp.resolve("chart-" + System.nanoTime()).resolve("portflux");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path source : files.toList()) {
                Path dest = copy.resolve(CHART.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(source, dest);
                }
            }
        }
        return copy;
    }

    @Test
    void configChangesRollThePods() {
        String before = checksum(render(template()));
        String same = checksum(render(template()));
        String after = checksum(render(template().set("portflux.scan.defaultConcurrency", 128)));
        assertThat(before).isEqualTo(same).isNotBlank();
        assertThat(after).isNotEqualTo(before);
    }

    private static String checksum(Manifests manifests) {
        return manifests.single(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
    }

    // ---- every optional feature ----

    @Test
    void everyOptionalFeatureRendersValidObjects() {
        Manifests manifests = render(template().withValuesFile(ALL_FEATURES));
        assertThat(manifests.kinds()).containsExactlyInAnyOrder(
                "ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Ingress", "NetworkPolicy",
                "PodDisruptionBudget", "Service", "ServiceAccount", "ServiceMonitor");
        assertDeploymentFitsTheApp(manifests, APP);
        Deployment deployment = manifests.single(Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).as("the HPA owns replicas").isNull();
        assertThat(deployment.getMetadata().getLabels()).containsEntry("team", "platform");
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).doesNotContainKey("team");
        assertThat(deployment.getSpec().getTemplate().getSpec().getImagePullSecrets())
                .singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("registry-credentials"));
        // Several replicas: the store is the external PostgreSQL, not the embedded one.
        Hardening.assertPostgresqlStore(deployment.getSpec().getTemplate().getSpec(), Hardening.portflux(deployment));
    }

    @Test
    void ingressKeepsServerSentEventsStreaming() {
        Manifests manifests = render(template().withValuesFile(ALL_FEATURES));
        Ingress ingress = manifests.single(Ingress.class);
        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600");
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        var backend = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
        assertThat(backend.getName()).isEqualTo(manifests.single(Service.class).getMetadata().getName());
        assertThat(backend.getPort().getName()).isEqualTo("http");
        assertThat(ingress.getSpec().getTls()).singleElement()
                .satisfies(tls -> assertThat(tls.getHosts()).containsExactly("portflux.example.internal"));
    }

    @Test
    void networkPolicyAdmitsOnlyHttpAndReachesOnlyTheAllowListAndDns() {
        Manifests manifests = render(template().withValuesFile(ALL_FEATURES));
        NetworkPolicy policy = manifests.single(NetworkPolicy.class);
        Deployment deployment = manifests.single(Deployment.class);
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");

        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getPort().getStrVal()).isEqualTo("http");
                assertThat(p.getProtocol()).isEqualTo("TCP");
            });
            assertThat(rule.getFrom()).singleElement().satisfies(peer ->
                    assertThat(peer.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "ingress-nginx"));
        });

        List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
        assertThat(egress).hasSize(3);
        assertThat(egress.get(0).getTo()).extracting(peer -> peer.getIpBlock().getCidr())
                .containsExactly("10.20.0.0/24", "127.0.0.0/8", "fd00:20::/64");
        assertThat(egress.get(0).getTo()).extracting(peer -> peer.getIpBlock().getExcept())
                .containsExactly(List.of("10.20.0.128/25"), List.of(), List.of("fd00:20::53/128"));
        assertThat(egress.get(0).getPorts()).as("scans may reach any port of an allowed CIDR").isNullOrEmpty();
        assertThat(egress.get(1).getTo()).singleElement().satisfies(peer -> {
            assertThat(peer.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "kube-system");
            assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("k8s-app", "kube-dns");
        });
        assertThat(egress.get(1).getPorts()).extracting(NetworkPolicyPort::getProtocol, p -> p.getPort().getIntVal())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("UDP", 53), org.assertj.core.groups.Tuple.tuple("TCP", 53));
        // The external PostgreSQL of database.egress, on the port of database.url.
        assertThat(egress.get(2).getTo()).singleElement().satisfies(peer -> {
            assertThat(peer.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "databases");
            assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "postgresql");
        });
        assertThat(egress.get(2).getPorts()).extracting(NetworkPolicyPort::getProtocol, p -> p.getPort().getIntVal())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("TCP", 5432));
    }

    static Stream<Arguments> egressCases() {
        return Stream.of(
                Arguments.of("everything allowed", List.of("0.0.0.0/0", "::/0"), List.of()),
                Arguments.of("a deny inside an allow", List.of("10.0.0.0/8", "127.0.0.0/8"), List.of("10.0.0.0/16", "10.1.2.3/32")),
                Arguments.of("an allow inside a deny", List.of("169.254.169.254/32", "127.0.0.0/8", "fe80::/64"), List.of()),
                Arguments.of("a deny equal to an allow", List.of("10.9.0.0/16", "::1/128"), List.of("10.9.0.0/16")),
                Arguments.of("a deny that repeats a built-in", List.of("169.0.0.0/8"), List.of("169.254.0.0/16", "169.254.169.254/32")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("egressCases")
    void networkPolicyEgressIsTheAllowListMinusTheDenyList(String name, List<String> allow, List<String> deny) throws IOException {
        String values = "networkPolicy:\n  enabled: true\nportflux:\n  targets:\n    allow: " + flow(allow)
                + "\n    deny: " + flow(deny) + "\n";
        NetworkPolicy policy = render(template().withValuesFile(valuesFile(values))).single(NetworkPolicy.class);

        // What the app denies, computed with the app's own list and the IPAddress library.
        List<String> denied = new ArrayList<>(TargetPolicy.BUILT_IN_DENY);
        denied.addAll(deny);
        List<Map<String, Object>> expected = new ArrayList<>();
        for (String cidr : allow) {
            if (denied.stream().anyMatch(d -> block(d).contains(block(cidr)))) {
                continue;
            }
            List<String> except = denied.stream().filter(d -> block(cidr).contains(block(d))).distinct().toList();
            expected.add(Map.of("cidr", cidr, "except", except));
        }
        List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
        List<NetworkPolicyEgressRule> scanRules = egress.stream().filter(r -> r.getPorts() == null || r.getPorts().isEmpty()).toList();
        if (expected.isEmpty()) {
            // A rule with no `to` would open egress to everywhere: there must be none.
            assertThat(scanRules).isEmpty();
            assertThat(egress).hasSize(1);
            return;
        }
        assertThat(scanRules).singleElement().satisfies(rule -> assertThat(rule.getTo())
                .extracting(peer -> Map.of("cidr", peer.getIpBlock().getCidr(),
                        "except", peer.getIpBlock().getExcept() == null ? List.of() : peer.getIpBlock().getExcept()))
                .containsExactlyElementsOf(expected));
    }

    @Test
    void onlyDeniedAllowCidrsLeaveNoScanEgressAtAll() throws IOException {
        String values = "networkPolicy:\n  enabled: true\nportflux:\n  targets:\n    allow: [169.254.0.0/16]\n";
        NetworkPolicy policy = render(template().withValuesFile(valuesFile(values))).single(NetworkPolicy.class);
        assertThat(policy.getSpec().getEgress()).singleElement()
                .satisfies(rule -> assertThat(rule.getPorts()).extracting(p -> p.getPort().getIntVal()).containsOnly(53));
    }

    @Test
    void theChartKnowsTheAppsBuiltInDenyList() throws IOException {
        String helpers = Files.readString(CHART.resolve("templates/_helpers.tpl"));
        Matcher m = Pattern.compile("define \"portflux.builtInDeny\" -}}\n([^\n{]+)\n").matcher(helpers);
        assertThat(m.find()).isTrue();
        assertThat(List.of(m.group(1).strip().split(" "))).isEqualTo(TargetPolicy.BUILT_IN_DENY);
    }

    private static String flow(List<String> items) {
        return items.stream().map(i -> "\"" + i + "\"").collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }

    private static IPAddress block(String cidr) {
        return new IPAddressString(cidr).getAddress().toPrefixBlock();
    }

    @Test
    void autoscalerAndDisruptionBudgetTargetTheDeployment() {
        Manifests manifests = render(template().withValuesFile(ALL_FEATURES));
        Deployment deployment = manifests.single(Deployment.class);
        HorizontalPodAutoscaler hpa = manifests.single(HorizontalPodAutoscaler.class);
        assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(5);
        assertThat(hpa.getSpec().getMetrics()).singleElement()
                .satisfies(m -> assertThat(m.getResource().getTarget().getAverageUtilization()).isEqualTo(70));

        PodDisruptionBudget pdb = manifests.single(PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    @SuppressWarnings("unchecked")
    void serviceMonitorScrapesThePrometheusEndpointOnTheHttpPort() {
        Manifests manifests = render(template().withValuesFile(ALL_FEATURES));
        GenericKubernetesResource monitor = manifests.generic("monitoring.coreos.com/v1", "ServiceMonitor")
                .orElseThrow(() -> new AssertionError("no ServiceMonitor"));
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
        assertThat(spec).containsOnlyKeys("selector", "namespaceSelector", "endpoints");
        Map<String, Object> selector = (Map<String, Object>) spec.get("selector");
        assertThat(selector).containsOnlyKeys("matchLabels");
        assertThat((Map<String, Object>) selector.get("matchLabels"))
                .isEqualTo(manifests.single(Service.class).getSpec().getSelector());
        assertThat((Map<String, Object>) spec.get("namespaceSelector")).isEqualTo(Map.of("matchNames", List.of("scanners")));
        List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("endpoints");
        assertThat(endpoints).singleElement().satisfies(endpoint -> {
            assertThat(endpoint).containsOnlyKeys("port", "path", "interval", "scrapeTimeout");
            assertThat(endpoint).containsEntry("port", "http").containsEntry("interval", "15s").containsEntry("scrapeTimeout", "10s");
            assertThat(endpoint.get("path")).isEqualTo(
                    APP.properties().getOrDefault("management.endpoints.web.base-path", "/actuator") + "/prometheus");
        });
        assertThat(APP.string("management.endpoints.web.exposure.include")).contains("prometheus");
    }

    // ---- realistic overrides ----

    static Stream<Arguments> overrides() {
        return Stream.of(
                Arguments.of("a lab subnet with more concurrency", """
                        portflux:
                          targets:
                            allow: [10.42.0.0/24, 192.168.56.0/24]
                            deny: [10.42.0.1/32]
                          ports:
                            deny: ["22", "6000-6063"]
                          scan:
                            defaultConcurrency: 512
                            maxConcurrency: 2048
                            defaultTimeout: 500ms
                            maxProbes: 4294967296
                          scans:
                            maxRunning: 2
                            retention: 15m
                        """),
                Arguments.of("another port, a bigger pod and a pinned digest", """
                        fullnameOverride: scanner
                        containerPort: 9090
                        service:
                          port: 80
                        image:
                          repository: registry.example.internal/portflux
                          digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                        resources:
                          requests: {cpu: "1", memory: 1Gi}
                          limits: {cpu: "4", memory: 2Gi}
                        portflux:
                          probe:
                            eventLoops: 4
                            inFlightBudget: 8192
                        """),
                Arguments.of("a platform's UID range and a private registry", """
                        image:
                          registry: registry.example.internal:5000
                          tag: "0.1.1"
                        podSecurityContext:
                          runAsNonRoot: true
                          runAsUser: 1000680000
                          runAsGroup: 1000680000
                          fsGroup: 1000680000
                          seccompProfile:
                            type: RuntimeDefault
                        securityContext:
                          runAsNonRoot: true
                          runAsUser: 1000680000
                          allowPrivilegeEscalation: false
                          readOnlyRootFilesystem: true
                          capabilities:
                            drop: [ALL]
                          seccompProfile:
                            type: RuntimeDefault
                        """),
                Arguments.of("a big scan shared by five replicas on PostgreSQL", """
                        replicaCount: 5
                        database:
                          url: r2dbc:postgresql://postgres.databases.svc:5432/portflux
                          existingSecret: portflux-database
                        podDisruptionBudget:
                          enabled: true
                          maxUnavailable: 1
                        portflux:
                          cluster:
                            ranges: 256
                            autoThreshold: 200000
                            rangesPerReplica: 4
                            leaseTime: 15s
                            checkpointInterval: 1s
                        """),
                Arguments.of("slow drains behind a load balancer, three replicas on PostgreSQL", """
                        replicaCount: 3
                        database:
                          url: r2dbc:postgresql://postgres.databases.svc:5432/portflux
                          existingSecret: portflux-database
                        shutdown:
                          preStopSleepSeconds: 15
                          phaseTimeoutSeconds: 30
                          terminationGracePeriodSeconds: 60
                        serviceAccount:
                          create: false
                          name: scanners
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overrides")
    void realisticOverridesRenderAndBind(String name, String values) throws IOException {
        Path file = valuesFile(values);
        Manifests manifests = render(template().withValuesFile(file));
        Map<String, Object> given = new Yaml().load(values);
        int port = given.containsKey("containerPort") ? (Integer) given.get("containerPort") : Integer.parseInt(APP.string("server.port"));
        AppSettings mounted = assertDeploymentFitsTheApp(manifests, AppSettings.parse("server:\n  port: " + port + "\n").layeredOver(APP));

        // Every value given under portflux.* reaches the bound property with the same value.
        @SuppressWarnings("unchecked")
        Map<String, Object> portflux = (Map<String, Object>) given.getOrDefault("portflux", Map.of());
        TargetProperties targets = mounted.bindOver(APP, "portflux.targets", TargetProperties.class);
        ScanProperties scan = mounted.bindOver(APP, "portflux.scan", ScanProperties.class);
        ProbeProperties probe = mounted.bindOver(APP, "portflux.probe", ProbeProperties.class);
        RegistryProperties scans = mounted.bindOver(APP, "portflux.scans", RegistryProperties.class);
        if (portflux.get("targets") instanceof Map<?, ?> t) {
            assertThat(targets.allow()).isEqualTo(t.get("allow"));
            assertThat(targets.deny()).isEqualTo(t.get("deny"));
        }
        if (portflux.get("ports") instanceof Map<?, ?> p) {
            assertThat(mounted.bindOver(APP, "portflux.ports", PortPolicyProperties.class).deny()).isEqualTo(p.get("deny"));
        }
        if (portflux.get("scan") instanceof Map<?, ?> s) {
            assertThat(scan.defaultConcurrency()).isEqualTo(s.get("defaultConcurrency"));
            assertThat(scan.maxConcurrency()).isEqualTo(s.get("maxConcurrency"));
            assertThat(scan.defaultTimeout()).isEqualTo(Duration.ofMillis(500));
            assertThat(scan.maxProbes()).isEqualTo(4294967296L);
        }
        if (portflux.get("probe") instanceof Map<?, ?> p) {
            assertThat(probe.eventLoops()).isEqualTo(p.get("eventLoops"));
            assertThat(probe.inFlightBudget()).isEqualTo(p.get("inFlightBudget"));
        }
        if (portflux.get("scans") instanceof Map<?, ?> r) {
            assertThat(scans.maxRunning()).isEqualTo(r.get("maxRunning"));
            assertThat(scans.retention()).isEqualTo(Duration.ofMinutes(15));
        }
        if (portflux.get("cluster") instanceof Map<?, ?> c) {
            ClusterProperties cluster = mounted.bindOver(APP, "portflux.cluster", ClusterProperties.class);
            assertThat(cluster.ranges()).isEqualTo(c.get("ranges"));
            assertThat(cluster.autoThreshold()).isEqualTo(((Number) c.get("autoThreshold")).longValue());
            assertThat(cluster.rangesPerReplica()).isEqualTo(c.get("rangesPerReplica"));
            assertThat(cluster.leaseTime()).isEqualTo(Duration.ofSeconds(15));
            assertThat(cluster.checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
            // Not given: the app's default.
            assertThat(cluster.enabled()).isTrue();
        }
        for (var entry : AppSettings.PORTFLUX_RECORDS.entrySet()) {
            mounted.bindOver(APP, entry.getKey(), entry.getValue());
        }
        Service service = manifests.single(Service.class);
        if (given.get("service") instanceof Map<?, ?> s && s.get("port") != null) {
            assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(s.get("port"));
        }
        if (given.containsKey("fullnameOverride")) {
            assertThat(manifests.all()).allSatisfy(o -> assertThat(o.getMetadata().getName()).startsWith("scanner"));
            assertThat(Hardening.portflux(manifests.single(Deployment.class)).getImage())
                    .isEqualTo("registry.example.internal/portflux@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        }
        if (given.get("image") instanceof Map<?, ?> image && image.get("registry") != null) {
            assertThat(Hardening.portflux(manifests.single(Deployment.class)).getImage())
                    .isEqualTo("registry.example.internal:5000/portflux/portflux:0.1.1");
        }
        if (given.get("podSecurityContext") instanceof Map<?, ?> pod) {
            assertThat(manifests.single(Deployment.class).getSpec().getTemplate().getSpec().getSecurityContext()
                    .getRunAsUser()).isEqualTo(((Number) pod.get("runAsUser")).longValue());
        }
        if (given.get("serviceAccount") instanceof Map<?, ?> sa) {
            assertThat(manifests.ofType(ServiceAccount.class)).isEmpty();
            assertThat(manifests.single(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(sa.get("name"));
        }
    }

    // ---- authentication and quotas ----

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElse(null);
    }

    @Test
    void byDefaultAuthIsOffAndNoSecretIsRendered() {
        Manifests manifests = render(template());
        assertThat(manifests.ofType(Secret.class)).isEmpty();
        assertThat(env(Hardening.portflux(manifests.single(Deployment.class)), "PORTFLUX_SECURITY_TOKENS")).isNull();
    }

    @Test
    void tokensGoIntoASecretThatTheDeploymentReadsAndNeverIntoTheConfigMap() throws IOException {
        String first = "first-token-0123456789";
        String second = "second-token-0123456789";
        Path values = valuesFile("security:\n  tokens: [" + first + ", " + second + "]\n");
        Manifests manifests = render(template().withValuesFile(values));
        Secret secret = manifests.single(Secret.class);
        assertThat(secret.getMetadata().getName()).isEqualTo("pf-portflux-tokens");
        assertThat(secret.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", "pf");
        assertThat(new String(Base64.getDecoder().decode(secret.getData().get("tokens")), StandardCharsets.UTF_8))
                .isEqualTo(first + "," + second);

        Deployment deployment = manifests.single(Deployment.class);
        EnvVar tokens = env(Hardening.portflux(deployment), "PORTFLUX_SECURITY_TOKENS");
        assertThat(tokens).isNotNull();
        assertThat(tokens.getValue()).isNull();
        assertThat(tokens.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret.getMetadata().getName());
        assertThat(tokens.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("tokens");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("checksum/tokens");

        // Nothing but the Secret holds a token: not the ConfigMap, not the Deployment, in any encoding.
        for (var object : manifests.all()) {
            if (object instanceof Secret) {
                continue;
            }
            String yaml = io.fabric8.kubernetes.client.utils.Serialization.asYaml(object);
            assertThat(yaml).as(object.getKind()).doesNotContain(first).doesNotContain(second)
                    .doesNotContain(secret.getData().get("tokens"));
        }
        AppSettings mounted = mountedConfig(manifests);
        assertThat(mounted.properties().keySet()).noneMatch(k -> k.startsWith("portflux.security.tokens"));
        assertThat(mounted.bindOver(APP, "portflux.security", io.portflux.web.access.SecurityProperties.class).tokens()).isEmpty();
    }

    @Test
    void anExistingSecretIsReferencedAndNoneIsRendered() throws IOException {
        Path values = valuesFile("security:\n  existingSecret: team-scanner-tokens\n  existingSecretKey: api-tokens\n");
        Manifests manifests = render(template().withValuesFile(values));
        assertThat(manifests.ofType(Secret.class)).isEmpty();
        Deployment deployment = manifests.single(Deployment.class);
        EnvVar tokens = env(Hardening.portflux(deployment), "PORTFLUX_SECURITY_TOKENS");
        assertThat(tokens.getValueFrom().getSecretKeyRef().getName()).isEqualTo("team-scanner-tokens");
        assertThat(tokens.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("api-tokens");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).doesNotContainKey("checksum/tokens");
    }

    @Test
    void theHelmTestPodSendsTheFirstTokenWhenAuthIsOn() throws IOException {
        Path hook = CHART.resolve("templates/tests/test-scan.yaml");
        Path copy = copyChart();
        Files.writeString(copy.resolve("templates/tests/test-scan.yaml"),
                Files.readString(hook).replace("helm.sh/hook: test", "example.com/was-hook: test"));
        Path values = valuesFile("security:\n  existingSecret: team-scanner-tokens\n");
        Pod test = render(new Helm(copy).template().withName("pf").withNamespace("scanners").withValuesFile(values)).single(Pod.class);
        Container curl = test.getSpec().getContainers().get(0);
        assertThat(env(curl, "PORTFLUX_SECURITY_TOKENS").getValueFrom().getSecretKeyRef().getName()).isEqualTo("team-scanner-tokens");
        assertThat(String.join(" ", curl.getCommand())).contains("-H \"Authorization: Bearer $token\"")
                .contains("${PORTFLUX_SECURITY_TOKENS%%,*}");
    }

    @Test
    void quotaAndTicketValuesReachTheBoundProperties() throws IOException {
        Path values = valuesFile("""
                portflux:
                  security:
                    protectMetrics: true
                    ticketTtl: 2m
                  quotas:
                    maxConcurrentScansPerClient: 2
                    scansPerMinute: 10
                    maxProbesPerScan: 65536
                    maxScanDuration: 15m
                """);
        AppSettings mounted = mountedConfig(render(template().withValuesFile(values)));
        var security = mounted.bindOver(APP, "portflux.security", io.portflux.web.access.SecurityProperties.class);
        assertThat(security.protectMetrics()).isTrue();
        assertThat(security.ticketTtl()).isEqualTo(Duration.ofMinutes(2));
        QuotaProperties quotas = mounted.bindOver(APP, "portflux.quotas", QuotaProperties.class);
        assertThat(quotas).isEqualTo(new QuotaProperties(2, 10, 65536, Duration.ofMinutes(15)));
    }

    /** Schedules declared in the values, as the README's example writes them. */
    static final String DECLARED_SCHEDULES = """
            portflux:
              alerts:
                allow: [127.0.0.0/8, hooks.example.internal]
                maxAttempts: 5
              schedules:
                pollInterval: 2s
                declared:
                  - name: dmz
                    cron: "0 */5 * * * *"
                    zone: Europe/Paris
                    scan:
                      targets: 127.0.0.1
                      ports: top-1000
                      rate: 500
                    webhook: http://127.0.0.1:9000/hook
                  - name: kubelets
                    cron: "0 0 * * * *"
                    enabled: false
                    scan:
                      targets: 127.0.0.2
                      ports: kubernetes
            alerts:
              existingSecret: portflux-webhooks
              existingSecretKey: hmac
            """;

    @Test
    void schedulesDeclaredInTheValuesAreRenderedIntoTheConfigurationAndBind() throws IOException {
        Manifests manifests = render(template().withValuesFile(valuesFile(DECLARED_SCHEDULES)));
        AppSettings mounted = assertDeploymentFitsTheApp(manifests, AppSettings.parse("server:\n  port: 8080\n").layeredOver(APP));
        io.portflux.schedule.ScheduleProperties schedules =
                mounted.bindOver(APP, "portflux.schedules", io.portflux.schedule.ScheduleProperties.class);
        assertThat(schedules.pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(schedules.catchUp()).isTrue();
        assertThat(schedules.declared()).containsExactly(
                new io.portflux.schedule.ScheduleProperties.Declared("dmz", "0 */5 * * * *", "Europe/Paris", null,
                        Map.of("targets", "127.0.0.1", "ports", "top-1000", "rate", "500"), "http://127.0.0.1:9000/hook"),
                new io.portflux.schedule.ScheduleProperties.Declared("kubelets", "0 0 * * * *", null, false,
                        Map.of("targets", "127.0.0.2", "ports", "kubernetes"), null));
        io.portflux.alerts.AlertProperties alerts = mounted.bindOver(APP, "portflux.alerts", io.portflux.alerts.AlertProperties.class);
        assertThat(alerts.allow()).containsExactly("127.0.0.0/8", "hooks.example.internal");
        assertThat(alerts.maxAttempts()).isEqualTo(5);
        assertThat(alerts.timeout()).isEqualTo(APP.bindStrictly("portflux.alerts", io.portflux.alerts.AlertProperties.class).timeout());
        // The signing key comes from the named Secret only.
        assertThat(manifests.ofType(Secret.class)).isEmpty();
        EnvVar key = env(Hardening.portflux(manifests.single(Deployment.class)), "PORTFLUX_ALERTS_SECRET");
        assertThat(key.getValueFrom().getSecretKeyRef().getName()).isEqualTo("portflux-webhooks");
        assertThat(key.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("hmac");
    }

    @Test
    void theWebhookKeyGoesIntoASecretThatTheDeploymentReadsAndNeverIntoTheConfigMap() throws IOException {
        String key = "webhook-hmac-key-0123456789";
        Manifests manifests = render(template().withValuesFile(valuesFile("alerts:\n  secret: " + key + "\n")));
        Secret secret = manifests.single(Secret.class);
        assertThat(secret.getMetadata().getName()).isEqualTo("pf-portflux-alerts");
        assertThat(new String(Base64.getDecoder().decode(secret.getData().get("secret")), StandardCharsets.UTF_8)).isEqualTo(key);
        Deployment deployment = manifests.single(Deployment.class);
        EnvVar env = env(Hardening.portflux(deployment), "PORTFLUX_ALERTS_SECRET");
        assertThat(env.getValue()).isNull();
        assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("pf-portflux-alerts");
        assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("secret");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("checksum/alerts");
        for (var object : manifests.all()) {
            if (!(object instanceof Secret)) {
                assertThat(io.fabric8.kubernetes.client.utils.Serialization.asYaml(object)).as(object.getKind())
                        .doesNotContain(key).doesNotContain(secret.getData().get("secret"));
            }
        }
        assertThat(mountedConfig(manifests).properties().keySet()).noneMatch(k -> k.startsWith("portflux.alerts.secret"));
        // Without a key, nothing: no Secret, no variable.
        Manifests plain = render(template());
        assertThat(env(Hardening.portflux(plain.single(Deployment.class)), "PORTFLUX_ALERTS_SECRET")).isNull();
    }

    @Test
    void twoSourcesOfTheWebhookKeyAreRefused() throws IOException {
        Path values = valuesFile("alerts:\n  secret: a-key-0123456789\n  existingSecret: theirs\n");
        assertThatThrownBy(() -> template().withValuesFile(values).call())
                .hasMessageContaining("set alerts.secret or alerts.existingSecret, not both");
    }

    @Test
    void detectionValuesReachTheBoundProperties() throws IOException {
        Path values = valuesFile("""
                portflux:
                  detect:
                    enabled: false
                    greetingMin: 50ms
                    probeTimeout: 2s
                    concurrency: 8
                    tlsPorts: [443, 10443]
                """);
        AppSettings mounted = mountedConfig(render(template().withValuesFile(values)));
        DetectProperties detect = mounted.bindOver(APP, "portflux.detect", DetectProperties.class);
        assertThat(detect.enabled()).isFalse();
        assertThat(detect.greetingMin()).isEqualTo(Duration.ofMillis(50));
        assertThat(detect.probeTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(detect.concurrency()).isEqualTo(8);
        assertThat(detect.tlsPorts()).containsExactlyInAnyOrder(443, 10443);
        // What the values leave alone keeps the app's default.
        DetectProperties app = AppSettings.app().bindStrictly("portflux.detect", DetectProperties.class);
        assertThat(detect.greetingTimeout()).isEqualTo(app.greetingTimeout());
        assertThat(detect.dnsPorts()).isEqualTo(app.dnsPorts());
    }

    // ---- the store ----

    @Test
    void byDefaultTheEmbeddedStoreWritesToAnEmptyDirAtData() {
        Manifests manifests = render(template());
        Deployment deployment = manifests.single(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Volume data = Hardening.assertEmbeddedStore(pod, Hardening.portflux(deployment));
        assertThat(data.getEmptyDir()).as("/data is an emptyDir by default").isNotNull();
        assertThat(data.getEmptyDir().getSizeLimit().toString()).isEqualTo("1Gi");
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(manifests.ofType(PersistentVolumeClaim.class)).isEmpty();
        // Scans no longer live in one pod's memory, so nothing pins a client to a pod.
        assertThat(manifests.single(Service.class).getSpec().getSessionAffinity()).isNull();
    }

    static Stream<Arguments> embeddedStoreWithMoreThanOneReplica() {
        return Stream.of(
                Arguments.of("replicaCount: 2\n", "replicaCount is 2"),
                Arguments.of("autoscaling:\n  enabled: true\n", "autoscaling.maxReplicas is 4"),
                Arguments.of("replicaCount: 1\nautoscaling:\n  enabled: true\n  minReplicas: 1\n  maxReplicas: 2\n", "autoscaling.maxReplicas is 2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("embeddedStoreWithMoreThanOneReplica")
    void theEmbeddedStoreRefusesMoreThanOneReplicaAndSaysToUsePostgresql(String values, String named) throws IOException {
        Path file = valuesFile(values);
        assertThatThrownBy(() -> template().withValuesFile(file).call())
                .hasMessageContaining(named)
                .hasMessageContaining("embedded store")
                .hasMessageContaining("one replica only")
                .hasMessageContaining("Use PostgreSQL: set database.url")
                .hasMessageContaining("postgresql.enabled=true");
    }

    @Test
    void oneReplicaAtMostIsFineForTheEmbeddedStore() throws IOException {
        // The guard above must not refuse what the embedded store can do.
        Manifests manifests = render(template().withValuesFile(valuesFile(
                "autoscaling:\n  enabled: true\n  minReplicas: 1\n  maxReplicas: 1\n")));
        assertThat(manifests.single(HorizontalPodAutoscaler.class).getSpec().getMaxReplicas()).isEqualTo(1);
        assertThat(render(template().set("replicaCount", 0)).single(Deployment.class).getSpec().getReplicas()).isZero();
    }

    @Test
    void persistenceKeepsTheEmbeddedStoreOnAClaimAndRecreatesInsteadOfRolling() throws IOException {
        Manifests manifests = render(template().withValuesFile(valuesFile("""
                store:
                  persistence:
                    enabled: true
                    size: 5Gi
                    storageClass: fast-ssd
                """)));
        PersistentVolumeClaim claim = manifests.single(PersistentVolumeClaim.class);
        assertThat(claim.getMetadata().getName()).isEqualTo("pf-portflux-data");
        assertThat(claim.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", "pf");
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("5Gi");
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");

        Deployment deployment = manifests.single(Deployment.class);
        Volume data = Hardening.assertEmbeddedStore(deployment.getSpec().getTemplate().getSpec(), Hardening.portflux(deployment));
        assertThat(data.getEmptyDir()).isNull();
        assertThat(data.getPersistentVolumeClaim().getClaimName()).isEqualTo(claim.getMetadata().getName());
        // Two pods cannot hold a ReadWriteOnce claim during a rolling update.
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate()).isNull();
        assertThat(manifests.single(Deployment.class).getSpec().getReplicas()).isEqualTo(1);
    }

    @Test
    void anExistingClaimIsUsedAndNoneIsCreated() throws IOException {
        Manifests manifests = render(template().withValuesFile(valuesFile(
                "store:\n  persistence:\n    enabled: true\n    existingClaim: portflux-history\n")));
        assertThat(manifests.ofType(PersistentVolumeClaim.class)).isEmpty();
        Deployment deployment = manifests.single(Deployment.class);
        Volume data = Hardening.assertEmbeddedStore(deployment.getSpec().getTemplate().getSpec(), Hardening.portflux(deployment));
        assertThat(data.getPersistentVolumeClaim().getClaimName()).isEqualTo("portflux-history");
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    }

    @Test
    void anExternalDatabaseTakesItsCredentialsFromTheSecretAndServesAnyNumberOfReplicas() throws IOException {
        String url = "r2dbc:postgresql://db.example.internal:5432/portflux?sslMode=require";
        Manifests manifests = render(template().withValuesFile(valuesFile("""
                replicaCount: 3
                database:
                  url: "%s"
                  existingSecret: team-database
                  usernameKey: user
                  passwordKey: pass
                """.formatted(url))));
        assertThat(manifests.kinds()).as("no Secret of the chart's: the user's holds the password")
                .containsExactly("ConfigMap", "Deployment", "Service", "ServiceAccount");
        Deployment deployment = manifests.single(Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertDeploymentFitsTheApp(manifests, APP);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = Hardening.portflux(deployment);
        var password = Hardening.assertPostgresqlStore(pod, container);
        assertThat(Hardening.env(container, "SPRING_R2DBC_URL")).isEqualTo(url);
        assertThat(password.getName()).isEqualTo("team-database");
        assertThat(password.getKey()).isEqualTo("pass");
        EnvVar username = env(container, "SPRING_R2DBC_USERNAME");
        assertThat(username.getValue()).isNull();
        assertThat(username.getValueFrom().getSecretKeyRef().getName()).isEqualTo("team-database");
        assertThat(username.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("user");
        assertThat(pod.getVolumes()).extracting(Volume::getName).doesNotContain("data");
        assertNoPlainPasswords(manifests);
    }

    @Test
    void aPlainUsernameMayGoWithTheSecretsPassword() throws IOException {
        Manifests manifests = render(template().withValuesFile(valuesFile("""
                database:
                  url: r2dbc:postgresql://db.example.internal/portflux
                  existingSecret: team-database
                  username: scanner
                """)));
        Container container = Hardening.portflux(manifests.single(Deployment.class));
        var password = Hardening.assertPostgresqlStore(manifests.single(Deployment.class).getSpec().getTemplate().getSpec(), container);
        assertThat(password.getName()).isEqualTo("team-database");
        assertThat(password.getKey()).isEqualTo("password");
        assertThat(Hardening.env(container, "SPRING_R2DBC_USERNAME")).isEqualTo("scanner");
    }

    static Stream<Arguments> databasePorts() {
        return Stream.of(
                Arguments.of("r2dbc:postgresql://db.example.internal:6432/portflux", 6432),
                Arguments.of("r2dbc:postgresql://db.example.internal/portflux", 5432),
                Arguments.of("r2dbcs:postgresql://[fd00:5::10]:5433/portflux?sslMode=verify-full", 5433),
                Arguments.of("r2dbc:postgresql://[fd00:5::10]/portflux", 5432));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databasePorts")
    void theNetworkPolicyLetsPortfluxReachTheExternalDatabaseOnTheUrlsPort(String url, int port) throws IOException {
        Manifests manifests = render(template().withValuesFile(valuesFile("""
                networkPolicy:
                  enabled: true
                database:
                  url: "%s"
                  existingSecret: team-database
                  egress:
                    - ipBlock:
                        cidr: 10.0.5.10/32
                """.formatted(url))));
        NetworkPolicy policy = manifests.single(NetworkPolicy.class);
        assertThat(policy.getSpec().getEgress()).filteredOn(rule -> rule.getTo().stream().anyMatch(peer -> peer.getIpBlock() != null
                        && "10.0.5.10/32".equals(peer.getIpBlock().getCidr())))
                .singleElement()
                .satisfies(rule -> assertThat(rule.getPorts()).extracting(NetworkPolicyPort::getProtocol, p -> p.getPort().getIntVal())
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("TCP", port)));
    }

    @Test
    void withoutDatabaseEgressTheNetworkPolicyAddsNoDatabaseRule() throws IOException {
        Manifests manifests = render(template().withValuesFile(valuesFile("""
                networkPolicy:
                  enabled: true
                database:
                  url: r2dbc:postgresql://db.example.internal:5432/portflux
                  existingSecret: team-database
                """)));
        // Scan targets and DNS only: a rule with no `to` would open egress to everywhere.
        assertThat(manifests.single(NetworkPolicy.class).getSpec().getEgress()).hasSize(2)
                .allSatisfy(rule -> assertThat(rule.getTo()).isNotEmpty());
    }

    /** The lookup that keeps the chart's PostgreSQL password across upgrades, as the template spells it. */
    private static final String PASSWORD_LOOKUP = "(lookup \"v1\" \"Secret\" .Release.Namespace $name)";

    /**
     * The chart with postgresql.enabled. helm-java's template runs with the dry-run option "none",
     * so `lookup` would call a cluster (there is none here; `helm template` itself returns nothing):
     * a copy of the chart answers it with {@code existingSecret}, a Secret as a dict, or "(dict)" for
     * a first install.
     */
    private TemplateCommand withPostgresql(String existingSecret) throws IOException {
        Path secret = CHART.resolve("templates/postgresql-secret.yaml");
        String source = Files.readString(secret);
        assertThat(source).contains(PASSWORD_LOOKUP);
        Path copy = copyChart();
        Files.writeString(copy.resolve("templates/postgresql-secret.yaml"), source.replace(PASSWORD_LOOKUP, existingSecret));
        return new Helm(copy).template().withName("pf").withNamespace("scanners").set("postgresql.enabled", true);
    }

    private TemplateCommand withPostgresql() throws IOException {
        return withPostgresql("(dict)");
    }

    private static <T extends HasMetadata> T named(Manifests manifests, Class<T> type, String name) {
        return manifests.ofType(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    @Test
    void theChartsPostgresqlIsAHardenedStatefulSetThatPortfluxReachesThroughItsService() throws IOException {
        Manifests manifests = render(withPostgresql().set("replicaCount", 3));
        assertThat(manifests.kinds()).containsExactly(
                "ConfigMap", "Deployment", "Secret", "Service", "Service", "ServiceAccount", "StatefulSet");
        StatefulSet statefulSet = manifests.single(StatefulSet.class);
        assertThat(statefulSet.getMetadata().getName()).isEqualTo("pf-portflux-postgresql");
        Container postgres = Hardening.assertPostgresql(statefulSet, 70);
        assertThat(postgres.getImage()).isEqualTo("docker.io/library/postgres:16-alpine");
        assertThat(postgres.getStartupProbe().getExec().getCommand()).containsSequence("--username", "portflux")
                .containsSequence("--dbname", "portflux");
        assertThat(statefulSet.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage").toString())
                .isEqualTo("8Gi");
        Map<String, String> databasePod = statefulSet.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(databasePod).containsAllEntriesOf(statefulSet.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/part-of", "portflux")
                .containsEntry("app.kubernetes.io/component", "database");

        // PortFlux's Service and Deployment never select the database pod; the database's Service does.
        Deployment deployment = manifests.single(Deployment.class);
        Service app = named(manifests, Service.class, "pf-portflux");
        Service database = named(manifests, Service.class, "pf-portflux-postgresql");
        assertThat(databasePod.entrySet().containsAll(app.getSpec().getSelector().entrySet())).isFalse();
        assertThat(databasePod.entrySet().containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet())).isFalse();
        assertThat(database.getSpec().getSelector()).isEqualTo(statefulSet.getSpec().getSelector().getMatchLabels());
        assertThat(database.getSpec().getClusterIP()).as("a ClusterIP Service, not a headless one").isNull();
        assertThat(database.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(5432);
            assertThat(port.getTargetPort().getStrVal()).isEqualTo(postgres.getPorts().get(0).getName());
        });
        assertThat(statefulSet.getSpec().getServiceName()).isEqualTo(database.getMetadata().getName());

        // PortFlux: three replicas on the database's Service, its user, and its password from the same Secret.
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertDeploymentFitsTheApp(manifests, APP);
        Container container = Hardening.portflux(deployment);
        var password = Hardening.assertPostgresqlStore(deployment.getSpec().getTemplate().getSpec(), container);
        assertThat(Hardening.env(container, "SPRING_R2DBC_URL"))
                .isEqualTo("r2dbc:postgresql://" + database.getMetadata().getName() + ":5432/" + Hardening.env(postgres, "POSTGRES_DB"));
        assertThat(Hardening.env(container, "SPRING_R2DBC_USERNAME")).isEqualTo(Hardening.env(postgres, "POSTGRES_USER"));
        Secret secret = manifests.single(Secret.class);
        assertThat(password.getName()).isEqualTo(secret.getMetadata().getName());
        assertThat(postgres.getEnv()).filteredOn(e -> e.getName().equals("POSTGRES_PASSWORD")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef()).isEqualTo(password));
        assertNoPlainPasswords(manifests);
    }

    @Test
    void theGeneratedPasswordIsRandomOnInstallAndKeptOnUpgrade() throws IOException {
        Secret first = render(withPostgresql()).single(Secret.class);
        Secret second = render(withPostgresql()).single(Secret.class);
        String password = decode(first.getData().get("password"));
        assertThat(password).matches("[A-Za-z0-9]{32}");
        assertThat(decode(second.getData().get("password"))).matches("[A-Za-z0-9]{32}").isNotEqualTo(password);
        // helm uninstall keeps it, as Kubernetes keeps the volume the database was initialised with it in.
        assertThat(first.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");

        // On an upgrade the lookup finds the Secret, and its password stays.
        String kept = Base64.getEncoder().encodeToString("kept-from-the-first-install".getBytes(StandardCharsets.UTF_8));
        Secret upgraded = render(withPostgresql("(dict \"data\" (dict \"password\" \"" + kept + "\"))")).single(Secret.class);
        assertThat(upgraded.getData().get("password")).isEqualTo(kept);
    }

    @Test
    void withTheNetworkPolicyPortfluxReachesItsPostgresqlAndOnlyPortfluxDoes() throws IOException {
        Manifests manifests = render(withPostgresql().set("networkPolicy.enabled", true));
        Deployment deployment = manifests.single(Deployment.class);
        StatefulSet statefulSet = manifests.single(StatefulSet.class);
        Map<String, String> databasePods = statefulSet.getSpec().getSelector().getMatchLabels();
        assertThat(manifests.ofType(NetworkPolicy.class)).hasSize(2);

        NetworkPolicy app = named(manifests, NetworkPolicy.class, "pf-portflux");
        assertThat(app.getSpec().getEgress())
                .filteredOn(rule -> rule.getTo().stream().anyMatch(peer -> peer.getPodSelector() != null
                        && databasePods.equals(peer.getPodSelector().getMatchLabels())))
                .singleElement()
                .satisfies(rule -> {
                    assertThat(rule.getTo()).hasSize(1);
                    assertThat(rule.getTo().get(0).getNamespaceSelector()).as("the release's own namespace").isNull();
                    assertThat(rule.getPorts()).extracting(NetworkPolicyPort::getProtocol, p -> p.getPort().getIntVal())
                            .containsExactly(org.assertj.core.groups.Tuple.tuple("TCP", 5432));
                });

        NetworkPolicy database = named(manifests, NetworkPolicy.class, "pf-portflux-postgresql");
        assertThat(database.getSpec().getPodSelector().getMatchLabels()).isEqualTo(databasePods);
        assertThat(database.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(database.getSpec().getEgress()).as("the database opens no connection").isNullOrEmpty();
        assertThat(database.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
                assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
                assertThat(peer.getNamespaceSelector()).isNull();
            });
            assertThat(rule.getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getPort().getStrVal()).isEqualTo("postgresql");
                assertThat(p.getProtocol()).isEqualTo("TCP");
            });
        });
        assertThat(statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
                .extracting(p -> p.getName()).containsExactly("postgresql");
    }

    @Test
    void aDatabaseUrlAndTheChartsPostgresqlTogetherAreRefused() throws IOException {
        Path values = valuesFile("database:\n  url: r2dbc:postgresql://db:5432/pf\n  existingSecret: db\n");
        TemplateCommand both = withPostgresql().withValuesFile(values);
        assertThatThrownBy(both::call).hasMessageContaining("set database.url or postgresql.enabled, not both");
        // The same database.url alone renders: the refusal is about the pair.
        assertThat(render(template().withValuesFile(values)).kinds()).doesNotContain("StatefulSet");
    }

    @Test
    void theChartsPostgresqlImageAndVolumeAreConfigurable() throws IOException {
        Manifests manifests = render(withPostgresql().withValuesFile(valuesFile("""
                postgresql:
                  enabled: true
                  image:
                    registry: registry.example.internal:5000
                    repository: mirror/postgres
                    digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                  persistence:
                    size: 20Gi
                    storageClass: fast-ssd
                """)));
        StatefulSet statefulSet = manifests.single(StatefulSet.class);
        assertThat(statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry.example.internal:5000/mirror/postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        var claim = statefulSet.getSpec().getVolumeClaimTemplates().get(0).getSpec();
        assertThat(claim.getStorageClassName()).isEqualTo("fast-ssd");
        assertThat(claim.getResources().getRequests().get("storage").toString()).isEqualTo("20Gi");
    }

    static Stream<Arguments> everyStore() {
        return Stream.of(
                Arguments.of("the chart's PostgreSQL, two replicas and a NetworkPolicy", Map.of(
                        "\npostgresql:\n  enabled: false\n", "\npostgresql:\n  enabled: true\n",
                        "\nreplicaCount: 1\n", "\nreplicaCount: 2\n",
                        "\nnetworkPolicy:\n  enabled: false\n", "\nnetworkPolicy:\n  enabled: true\n")),
                Arguments.of("an external PostgreSQL behind a NetworkPolicy without database.egress", Map.of(
                        "\ndatabase:\n  url: \"\"\n  existingSecret: \"\"\n",
                        "\ndatabase:\n  url: r2dbc:postgresql://db.example.internal:5432/portflux\n  existingSecret: team-database\n",
                        "\nnetworkPolicy:\n  enabled: false\n", "\nnetworkPolicy:\n  enabled: true\n")),
                Arguments.of("the embedded store on a claim", Map.of(
                        "\nstore:\n  persistence:\n    enabled: false\n", "\nstore:\n  persistence:\n    enabled: true\n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyStore")
    void lintStrictIsCleanForEveryStoreSoNotesRenderEachOfThem(String name, Map<String, String> edits) throws IOException {
        // Lint renders NOTES.txt, which says which store is used; lint takes no values file, so a
        // copy gets the store's values as its defaults. (Lint's lookup answers without a cluster.)
        Path copy = copyChart();
        Path values = copy.resolve("values.yaml");
        String text = Files.readString(values);
        for (var edit : edits.entrySet()) {
            assertThat(text).contains(edit.getKey());
            text = text.replace(edit.getKey(), edit.getValue());
        }
        Files.writeString(values, text);
        LintResult result = new Helm(copy).lint().strict().call();
        assertThat(result.getMessages()).as("lint messages").noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    /**
     * No object but a Secret holds a password: every env var named like one reads a Secret, and no
     * Secret's value (plain or base64) appears anywhere else.
     */
    private static void assertNoPlainPasswords(Manifests manifests) {
        List<String> secretValues = new ArrayList<>();
        for (Secret secret : manifests.ofType(Secret.class)) {
            secret.getData().values().forEach(value -> {
                secretValues.add(value);
                secretValues.add(decode(value));
            });
        }
        for (HasMetadata object : manifests.all()) {
            if (object instanceof Secret) {
                continue;
            }
            String yaml = io.fabric8.kubernetes.client.utils.Serialization.asYaml(object);
            for (String value : secretValues) {
                assertThat(yaml).as(object.getKind() + " " + object.getMetadata().getName()).doesNotContain(value);
            }
            assertThat(yaml).as(object.getKind()).doesNotContainIgnoringCase("password=");
        }
        for (PodSpec pod : Stream.concat(
                        manifests.ofType(Deployment.class).stream().map(d -> d.getSpec().getTemplate().getSpec()),
                        manifests.ofType(StatefulSet.class).stream().map(s -> s.getSpec().getTemplate().getSpec()))
                .toList()) {
            assertThat(pod.getContainers()).flatExtracting(Container::getEnv)
                    .filteredOn(e -> e.getName().contains("PASSWORD"))
                    .isNotEmpty()
                    .allSatisfy(e -> {
                        assertThat(e.getValue()).as(e.getName()).isNull();
                        assertThat(e.getValueFrom().getSecretKeyRef()).as(e.getName()).isNotNull();
                    });
        }
    }

    // ---- values outside the schema ----

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("replicaCount: -1\n", "replicaCount"),
                Arguments.of("replicaCount: 1000\n", "replicaCount"),
                Arguments.of("portflux:\n  scan:\n    defaultConcurrency: many\n", "defaultConcurrency"),
                Arguments.of("portflux:\n  scan:\n    maxConcurrency: 100000\n", "maxConcurrency"),
                Arguments.of("portflux:\n  scan:\n    defaultTimeout: soon\n", "defaultTimeout"),
                Arguments.of("portflux:\n  targets:\n    allow: [10.0.0.0/33]\n", "allow"),
                Arguments.of("portflux:\n  targets:\n    allow: [example.com]\n", "allow"),
                Arguments.of("portflux:\n  targets:\n    allow: []\n", "allow"),
                Arguments.of("portflux:\n  targets:\n    deny: [metadata.internal]\n", "deny"),
                Arguments.of("portflux:\n  targets:\n    deny: [169.254.1/16]\n", "deny"),
                Arguments.of("portflux:\n  ports:\n    deny: [http]\n", "deny"),
                Arguments.of("portflux:\n  targets:\n    denied: [10.0.0.0/8]\n", "denied"),
                Arguments.of("portflux:\n  scan:\n    maxConcurency: 10\n", "maxConcurency"),
                Arguments.of("containerPort: 80\n", "containerPort"),
                Arguments.of("service:\n  port: 70000\n", "port"),
                Arguments.of("resources:\n  limits:\n    memory: 1GB\n", "memory"),
                Arguments.of("securityContext:\n  runAsUser: 0\n", "runAsUser"),
                Arguments.of("podSecurityContext:\n  runAsUser: 0\n", "runAsUser"),
                Arguments.of("podSecurityContext:\n  runAsNonRoot: false\n", "runAsNonRoot"),
                Arguments.of("securityContext:\n  allowPrivilegeEscalation: true\n", "allowPrivilegeEscalation"),
                Arguments.of("securityContext:\n  capabilities:\n    add: [NET_RAW]\n", "add"),
                Arguments.of("image:\n  registry: https://registry.example.com/\n", "registry"),
                Arguments.of("replicas: 2\n", "replicas"),
                Arguments.of("shutdown:\n  terminationGracePeriodSeconds: 12\n", "terminationGracePeriodSeconds"),
                Arguments.of("autoscaling:\n  enabled: true\n  minReplicas: 5\n  maxReplicas: 2\n", "minReplicas"),
                Arguments.of("security:\n  tokens: [short]\n", "tokens"),
                Arguments.of("security:\n  tokens: [\"one-long-token-xxxxx,two-long-token-xxxxx\"]\n", "tokens"),
                Arguments.of("security:\n  tokens: [one-long-token-xxxxx]\n  existingSecret: mine\n", "not both"),
                Arguments.of("portflux:\n  quotas:\n    scansPerMinute: -1\n", "scansPerMinute"),
                Arguments.of("portflux:\n  quotas:\n    maxScanDuration: forever\n", "maxScanDuration"),
                Arguments.of("portflux:\n  detect:\n    concurrency: 0\n", "concurrency"),
                Arguments.of("portflux:\n  detect:\n    tlsPorts: [70000]\n", "tlsPorts"),
                Arguments.of("portflux:\n  detect:\n    greetingWait: 1s\n", "greetingWait"),
                Arguments.of("portflux:\n  security:\n    tokens: [one-long-token-xxxxx]\n", "tokens"),
                // Session affinity was the workaround for scans in one pod's memory; the store replaced it.
                Arguments.of("service:\n  sessionAffinity: ClientIP\n", "sessionAffinity"),
                Arguments.of("database:\n  url: r2dbc:postgresql://db:5432/pf\n  existingSecret: db\npostgresql:\n  enabled: true\n", "not both"),
                Arguments.of("database:\n  url: r2dbc:postgresql://db:5432/pf\n", "database.existingSecret"),
                Arguments.of("database:\n  url: r2dbc:postgresql://portflux:secret@db:5432/pf\n  existingSecret: db\n", "database.url"),
                Arguments.of("database:\n  url: r2dbc:postgresql://db:5432/pf?password=secret\n  existingSecret: db\n", "database.url"),
                Arguments.of("database:\n  url: jdbc:postgresql://db:5432/pf\n  existingSecret: db\n", "database.url"),
                Arguments.of("database:\n  url: r2dbc:postgresql://db:5432/pf\n  existingSecret: db\nstore:\n  persistence:\n    enabled: true\n", "store.persistence"),
                Arguments.of("store:\n  persistence:\n    size: 1GB\n", "size"),
                Arguments.of("postgresql:\n  podSecurityContext:\n    runAsUser: 0\n", "runAsUser"),
                Arguments.of("postgresql:\n  securityContext:\n    allowPrivilegeEscalation: true\n", "allowPrivilegeEscalation"),
                Arguments.of("postgresql:\n  auth:\n    username: \"Port Flux\"\n", "username"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void valuesOutsideTheSchemaFailToRender(String values, String named) throws IOException {
        Path file = valuesFile(values);
        assertThatThrownBy(() -> template().withValuesFile(file).call())
                .hasMessageContaining(named);
    }

    @Test
    void intOrStringValuesAreStillAccepted() {
        // The guard rails above must not refuse what they claim to allow.
        Manifests manifests = render(template()
                .set("podDisruptionBudget.enabled", true)
                .set("podDisruptionBudget.maxUnavailable", "50%")
                .set("resources.limits.cpu", "1500m"));
        assertThat(manifests.single(PodDisruptionBudget.class).getSpec().getMaxUnavailable().getStrVal()).isEqualTo("50%");
    }

    // ---- values documentation ----

    @Test
    void everyValueHasAParamLineAndASchemaEntry() throws IOException {
        String valuesText = Files.readString(CHART.resolve("values.yaml"));
        Set<String> params = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^\\s*## @param (\\S+) \\S").matcher(valuesText);
        while (m.find()) {
            params.add(m.group(1));
        }
        Map<String, Object> values = new Yaml().load(valuesText);
        List<String> leaves = new ArrayList<>();
        collectLeaves("", values, leaves);

        assertThat(leaves).as("values without a ## @param line (a documented parent covers its map)")
                .allSatisfy(leaf -> assertThat(params.stream().anyMatch(p -> leaf.equals(p) || leaf.startsWith(p + ".")))
                        .as(leaf).isTrue());
        Map<String, Object> schema = new Yaml().load(Files.readString(CHART.resolve("values.schema.json")));
        for (String param : params) {
            assertThat(lookup(values, param)).as("@param %s names a value that exists", param).isTrue();
            assertThat(lookupSchema(schema, param)).as("@param %s has a schema entry", param).isTrue();
        }
        for (String key : values.keySet()) {
            assertThat(params.stream().anyMatch(p -> p.equals(key) || p.startsWith(key + "."))).as("top-level %s documented", key).isTrue();
        }
    }

    @SuppressWarnings("unchecked")
    private static void collectLeaves(String prefix, Map<String, Object> map, List<String> leaves) {
        for (var entry : map.entrySet()) {
            String path = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
            if (entry.getValue() instanceof Map<?, ?> child && !child.isEmpty()) {
                collectLeaves(path, (Map<String, Object>) child, leaves);
            } else {
                leaves.add(path);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean lookup(Map<String, Object> values, String path) {
        Object node = values;
        for (String part : path.split("\\.")) {
            if (!(node instanceof Map<?, ?> map) || !map.containsKey(part)) {
                return false;
            }
            node = ((Map<String, Object>) map).get(part);
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static boolean lookupSchema(Map<String, Object> schema, String path) {
        Object node = schema;
        for (String part : path.split("\\.")) {
            Object properties = node instanceof Map<?, ?> map ? map.get("properties") : null;
            if (!(properties instanceof Map<?, ?> props) || !props.containsKey(part)) {
                return false;
            }
            node = ((Map<String, Object>) props).get(part);
        }
        return true;
    }

    // ---- shared ----

    private static AppSettings mountedConfig(Manifests manifests) {
        Deployment deployment = manifests.single(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        return Hardening.assertMountedConfig(pod, Hardening.portflux(deployment), manifests.ofType(ConfigMap.class));
    }

    /** The mounted config may set only server.port, the shutdown phase and the app's portflux.* records. */
    private static void assertOnlyKnownKeys(AppSettings mounted) {
        assertThat(mounted.properties().keySet()).allSatisfy(key -> assertThat(
                        key.equals("server.port")
                                || key.equals("spring.lifecycle.timeout-per-shutdown-phase")
                                || AppSettings.PORTFLUX_RECORDS.keySet().stream().anyMatch(prefix -> key.startsWith(prefix + ".")))
                .as("%s is a known key", key)
                .isTrue());
    }

    /**
     * Runs the shared hardening checks on the rendered Deployment against the app's settings
     * (with {@code expected.server.port} as the port the app will listen on) and binds the mounted
     * configuration. Returns the mounted settings.
     */
    private static AppSettings assertDeploymentFitsTheApp(Manifests manifests, AppSettings expected) {
        Deployment deployment = manifests.single(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = Hardening.portflux(deployment);
        Hardening.assertRestricted(pod);
        // One fixed identity for the process and the volumes, whichever the values chose.
        Hardening.assertFixedIdentity(pod, pod.getSecurityContext().getRunAsUser());
        Hardening.assertTmpIsWritable(pod, container);
        Hardening.assertResources(container);
        Hardening.assertProbes(container, APP);
        AppSettings mounted = Hardening.assertMountedConfig(pod, container, manifests.ofType(ConfigMap.class));
        int port = Integer.parseInt(expected.string("server.port"));
        Hardening.assertHttpPort(container, port);
        assertThat(mounted.string("server.port")).as("server.port in the ConfigMap").isEqualTo(String.valueOf(port));
        Hardening.assertShutdownFits(pod, container, Hardening.shutdownPhase(mounted, APP), JVM_EXIT_MARGIN_SECONDS);
        assertOnlyKnownKeys(mounted);
        for (var entry : AppSettings.PORTFLUX_RECORDS.entrySet()) {
            mounted.bindOver(APP, entry.getKey(), entry.getValue()); // fails on a key the app does not know
        }
        return mounted;
    }

    @Test
    void aRenamedPropertyFailsTheBinding() {
        // Proves that bindStrictly can fail: a key the record does not have is an error.
        AppSettings renamed = AppSettings.parse("""
                portflux:
                  scan:
                    max-probes: 10
                    default-concurrency: 8
                    max-concurency: 16
                """);
        assertThatThrownBy(() -> renamed.bindStrictly("portflux.scan", ScanProperties.class))
                .isInstanceOf(BindException.class)
                .hasMessageContaining("portflux.scan");
        AppSettings outOfRange = AppSettings.parse("portflux:\n  probe:\n    event-loops: 100\n");
        assertThatThrownBy(() -> outOfRange.bindStrictly("portflux.probe", ProbeProperties.class))
                .isInstanceOf(BindException.class);
    }
}
