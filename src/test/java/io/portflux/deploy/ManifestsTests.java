package io.portflux.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

/** ManifestsTests prove that the misspelt-field walker finds what it is meant to find. */
class ManifestsTests {

    private static final String DEPLOYMENT = """
            # Source: a comment-only document precedes the first separator
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: demo
            spec:
              selector:
                matchLabels: {app: demo}
              template:
                metadata:
                  labels: {app: demo}
                spec:
                  containers:
                    - name: app
                      image: demo:1
                      %s
            """;

    @Test
    void aCorrectManifestHasNoUnknownFields() {
        Manifests manifests = Manifests.parse(DEPLOYMENT.formatted("imagePullPolicy: IfNotPresent"));
        assertThat(manifests.kinds()).containsExactly("Deployment");
        assertThat(manifests.unknownFields()).isEmpty();
    }

    @Test
    void aMisspeltNestedFieldIsReportedWithItsPath() {
        Manifests manifests = Manifests.parse(DEPLOYMENT.formatted("securityContext: {readOnlyRootFileSystem: true}"));
        assertThat(manifests.unknownFields()).singleElement().asString()
                .contains("Deployment/demo")
                .contains("containers[0].securityContext")
                .contains("readOnlyRootFileSystem");
        assertThat(manifests.single(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getSecurityContext().getReadOnlyRootFilesystem()).as("the misspelt field did not bind").isNull();
    }

    @Test
    void aCustomResourceKeepsItsSpecButItsMetadataIsStillChecked() {
        Manifests manifests = Manifests.parse("""
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata:
                  name: demo
                  labelz: {a: b}
                spec:
                  endpoints: [{port: http}]
                """);
        GenericKubernetesResource monitor = manifests.generic("monitoring.coreos.com/v1", "ServiceMonitor").orElseThrow();
        assertThat(monitor.getAdditionalProperties()).containsKey("spec");
        assertThat(manifests.unknownFields()).singleElement().asString().contains("labelz");
    }
}
