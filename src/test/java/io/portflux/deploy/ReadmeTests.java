package io.portflux.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** ReadmeTests keep the README's configuration and values tables in step with the code. */
class ReadmeTests {

    private static String readme() throws Exception {
        return Files.readString(Path.of("README.md"));
    }

    @Test
    void everyChartValueIsInTheReadmeValuesTable() throws Exception {
        String values = Files.readString(Path.of("helm/portflux/values.yaml"));
        Matcher m = Pattern.compile("(?m)^\\s*## @param (\\S+) ").matcher(values);
        List<String> missing = new ArrayList<>();
        String readme = readme();
        while (m.find()) {
            if (!readme.contains("| `" + m.group(1) + "` |")) {
                missing.add(m.group(1));
            }
        }
        assertThat(missing).as("chart values missing from the README values table").isEmpty();
    }

    @Test
    void everyPortfluxPropertyIsInTheReadmeConfigurationTable() throws Exception {
        Map<String, Object> yaml = new Yaml().load(Files.readString(Path.of("src/main/resources/application.yaml")));
        List<String> keys = new ArrayList<>();
        flatten("portflux", yaml.get("portflux"), keys);
        String readme = readme();
        assertThat(keys).isNotEmpty();
        assertThat(keys.stream().filter(k -> !readme.contains("| `" + k + "` |")).toList())
                .as("portflux.* properties missing from the README configuration table").isEmpty();
    }

    @Test
    void theTwoCommandsAreExecutableScriptsAndCiRunsTheTestCommand() throws Exception {
        String readme = readme();
        Matcher block = Pattern.compile("## The two commands\\s+```sh\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find()).as("the two commands block").isTrue();
        List<String> commands = block.group(1).lines().map(l -> l.replaceAll("\\s*#.*", "").strip()).toList();
        assertThat(commands).containsExactly("./run.sh", "./test.sh");
        for (String command : commands) {
            assertThat(Files.isExecutable(Path.of(command))).as(command + " is executable").isTrue();
        }
        // The rule: CI runs exactly the README's test command, and that command runs the build.
        assertThat(Files.readString(Path.of(".ci/run"))).contains("exec ./test.sh");
        assertThat(Files.readString(Path.of("test.sh"))).contains("./mvnw -B verify");
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object node, List<String> keys) {
        if (node instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).forEach((k, v) -> flatten(prefix + "." + k, v, keys));
        } else {
            keys.add(prefix);
        }
    }
}
