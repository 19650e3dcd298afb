package io.portflux.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Manifests is a parsed multi-document YAML stream of Kubernetes objects, as helm or kustomize
 * render it, with lookups by kind and a check for misspelt fields.
 */
final class Manifests {

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[ \\t]*$");
    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

    private final List<HasMetadata> objects;

    private Manifests(List<HasMetadata> objects) {
        this.objects = List.copyOf(objects);
    }

    /** Parses every non-empty document into fabric8's typed model (CRDs become generic resources). */
    static Manifests parse(String yaml) {
        List<HasMetadata> parsed = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            if (isBlank(document)) {
                continue;
            }
            Object object = Serialization.unmarshal(document);
            assertThat(object)
                    .as("document parses to one Kubernetes object:%n%s", document)
                    .isInstanceOf(HasMetadata.class);
            parsed.add((HasMetadata) object);
        }
        return new Manifests(parsed);
    }

    private static boolean isBlank(String document) {
        return document.lines().map(String::strip).allMatch(line -> line.isEmpty() || line.startsWith("#"));
    }

    List<HasMetadata> all() {
        return objects;
    }

    <T extends HasMetadata> List<T> ofType(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T single(Class<T> type) {
        List<T> found = ofType(type);
        assertThat(found).as("exactly one %s", type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    Optional<GenericKubernetesResource> generic(String apiVersion, String kind) {
        return ofType(GenericKubernetesResource.class).stream()
                .filter(r -> apiVersion.equals(r.getApiVersion()) && kind.equals(r.getKind()))
                .findFirst();
    }

    List<String> kinds() {
        return objects.stream().map(HasMetadata::getKind).sorted().toList();
    }

    /**
     * Returns the paths of every field that fabric8 did not recognise: they land in
     * {@code additionalProperties}, which is how a misspelt or misplaced field shows up. The
     * top-level fields of a generic resource (a CRD's spec) are the exception, since that is where
     * a generic resource keeps everything but its metadata.
     */
    static List<String> unknownFields(Object root) {
        List<String> unknown = new ArrayList<>();
        walk(root, root.getClass().getSimpleName(), unknown, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        return unknown;
    }

    List<String> unknownFields() {
        List<String> unknown = new ArrayList<>();
        for (HasMetadata object : objects) {
            String name = object.getKind() + "/" + object.getMetadata().getName();
            unknownFields(object).forEach(path -> unknown.add(name + ": " + path));
        }
        return unknown;
    }

    private static void walk(Object node, String path, List<String> unknown, Set<Object> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof Collection<?> collection) {
            int i = 0;
            for (Object element : collection) {
                walk(element, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> walk(value, path + "[" + key + "]", unknown, seen));
            return;
        }
        if (!node.getClass().getName().startsWith(MODEL_PACKAGE)) {
            return;
        }
        // Fields, not getters: HasMetadata has computed default getters that throw for CRDs.
        for (Class<?> type = node.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                Object value = read(field, node);
                if (field.getName().equals("additionalProperties")) {
                    if (!(node instanceof GenericKubernetesResource) && value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + " has unknown fields " + extra.keySet());
                    }
                    continue;
                }
                walk(value, path + "." + field.getName(), unknown, seen);
            }
        }
    }

    private static Object read(Field field, Object target) {
        try {
            field.setAccessible(true);
            return field.get(target);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + field, e);
        }
    }
}
