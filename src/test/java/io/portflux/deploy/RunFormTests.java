package io.portflux.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable form that run.sh and bench/ use (bin/app.sh): which java it runs, and which archive and flags it
 * gives that java. Only app.sh's definitions are read here (it is sourced, and pf_prepare is not called), with
 * stand-in JDK homes: no JVM is started.
 */
class RunFormTests {

    @TempDir
    Path dir;

    @Test
    void javaHomeIsTheJavaThatRunsAndJava25GetsTheAotCache() throws Exception {
        Path home = jdkHome("jdk25", "JAVA_VERSION=\"25.0.3\"", null);

        Map<String, String> form = form(home);

        assertThat(form.get("java")).isEqualTo(home.resolve("bin/java").toString());
        assertThat(form.get("release")).isEqualTo("25");
        assertThat(form.get("archive")).endsWith("/target/app/portflux-java25.aot");
        assertThat(form.get("flags"))
                .contains("-XX:AOTCache=" + form.get("archive"), "--enable-native-access=ALL-UNNAMED",
                        "-Dspring.aot.enabled=true", "-XX:CompileThresholdScaling=10")
                .doesNotContain("SharedArchiveFile");
    }

    @Test
    void java17GetsTheClassDataArchive() throws Exception {
        Path home = jdkHome("jdk17", "JAVA_VERSION=\"17.0.15\"", null);

        Map<String, String> form = form(home);

        assertThat(form.get("release")).isEqualTo("17");
        assertThat(form.get("archive")).endsWith("/target/app/portflux.jsa");
        assertThat(form.get("flags"))
                .contains("-XX:SharedArchiveFile=" + form.get("archive"), "-XX:ArchiveRelocationMode=0")
                .doesNotContain("AOTCache", "enable-native-access");
    }

    @Test
    void aJdkWithoutAReleaseFileIsAskedForItsVersion() throws Exception {
        Path home = jdkHome("jdk21", null, "openjdk version \"21.0.2\" 2024-01-16");

        Map<String, String> form = form(home);

        assertThat(form.get("release")).isEqualTo("21");
        assertThat(form.get("archive")).endsWith("/portflux.jsa");
    }

    @Test
    void withoutJavaHomeItIsTheJavaOnThePath() throws Exception {
        Map<String, String> form = form(null);

        assertThat(form.get("java")).isEqualTo("java");
        assertThat(Integer.parseInt(form.get("release"))).as("the java running these tests").isGreaterThanOrEqualTo(17);
    }

    /** A stand-in JDK home: a release file (when given) and a bin/java that prints {@code version} as java -version does. */
    private Path jdkHome(String name, String release, String version) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name + "/bin"));
        if (release != null) {
            Files.writeString(dir.resolve(name + "/release"), "IMPLEMENTOR=\"test\"\n" + release + "\n");
        }
        Path java = home.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho '" + (version == null ? "" : version) + "' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir.resolve(name);
    }

    /** Sources bin/app.sh with JAVA_HOME set to {@code home} (or unset) and reads back what it chose. */
    private static Map<String, String> form(Path home) throws Exception {
        String script = ". bin/app.sh && printf 'java=%s\\nrelease=%s\\narchive=%s\\nflags=%s\\n'"
                + " \"$PF_JAVA\" \"$PF_JAVA_RELEASE\" \"$PF_ARCHIVE\" \"${PF_JAVA_FLAGS[*]}\"";
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", "-c", script)).redirectErrorStream(true);
        builder.environment().remove("JAVA_HOME");
        if (home != null) {
            builder.environment().put("JAVA_HOME", home.toString());
        }
        Process process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("bash ends").isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(out).isZero();
        return out.lines().filter(l -> l.contains("="))
                .collect(java.util.stream.Collectors.toMap(l -> l.substring(0, l.indexOf('=')),
                        l -> l.substring(l.indexOf('=') + 1), (a, b) -> b));
    }
}
