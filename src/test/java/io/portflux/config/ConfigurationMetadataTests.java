package io.portflux.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration processor's metadata, which IDEs read to complete and explain properties, covers every
 * {@code portflux.*} property that application.yaml sets, each with a description.
 */
class ConfigurationMetadataTests {

    @Test
    void everyPortfluxPropertyHasMetadataWithADescription() throws Exception {
        Map<String, String> described = new HashMap<>();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("spring-configuration-metadata.json on the classpath").isNotNull();
            for (JsonNode property : JsonMapper.shared().readTree(in).get("properties")) {
                JsonNode description = property.get("description");
                described.put(property.get("name").asString(), description == null ? "" : description.asString());
            }
        }
        TreeSet<String> keys = new TreeSet<>();
        try (InputStream in = getClass().getResourceAsStream("/application.yaml")) {
            Map<String, Object> yaml = new Yaml().load(in);
            flatten("portflux", yaml.get("portflux"), keys);
        }
        assertThat(keys).hasSizeGreaterThan(20);
        for (String key : keys) {
            assertThat(described).as("metadata for " + key).containsKey(key);
            assertThat(described.get(key)).as("description of " + key).isNotBlank();
        }
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object node, TreeSet<String> keys) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix + "." + k, v, keys));
        } else {
            keys.add(prefix);
        }
    }
}
