package dev.phi4ee.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed reads from a JSON file whose errors name the file, the field path, what was expected and what was found. */
final class JsonFields {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String file;
    private final JsonNode node;
    private final String path;

    private JsonFields(String file, JsonNode node, String path) {
        this.file = file;
        this.node = node;
        this.path = path;
    }

    static JsonFields read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(file.getFileName() + ": file missing in " + file.getParent());
        }
        try {
            JsonNode root = MAPPER.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new ModelFormatException(file.getFileName() + ": expected a JSON object, found "
                        + (root == null ? "an empty file" : root.getNodeType()));
            }
            return new JsonFields(file.getFileName().toString(), root, "");
        } catch (IOException e) {
            throw new ModelFormatException(
                    file.getFileName() + ": malformed JSON: "
                            + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                                    ? j.getOriginalMessage()
                                    : e.getMessage()),
                    e);
        }
    }

    private String at(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private ModelFormatException error(String field, String expected, JsonNode found) {
        return new ModelFormatException(file + ": " + at(field) + ": expected " + expected + ", found "
                + (found == null || found.isMissingNode() ? "nothing (field missing)" : found.toString()));
    }

    boolean has(String field) {
        JsonNode n = node.get(field);
        return n != null && !n.isNull();
    }

    JsonFields object(String field) {
        JsonNode n = node.get(field);
        if (n == null || !n.isObject()) {
            throw error(field, "an object", n);
        }
        return new JsonFields(file, n, at(field));
    }

    Optional<JsonFields> optionalObject(String field) {
        return has(field) ? Optional.of(object(field)) : Optional.empty();
    }

    int integer(String field) {
        JsonNode n = node.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
            throw error(field, "an integer", n);
        }
        return n.intValue();
    }

    int integer(String field, int defaultValue) {
        return has(field) ? integer(field) : defaultValue;
    }

    int positive(String field) {
        int v = integer(field);
        if (v <= 0) {
            throw error(field, "a positive integer", node.get(field));
        }
        return v;
    }

    double number(String field, double defaultValue) {
        if (!has(field)) {
            return defaultValue;
        }
        JsonNode n = node.get(field);
        if (!n.isNumber()) {
            throw error(field, "a number", n);
        }
        return n.doubleValue();
    }

    boolean bool(String field, boolean defaultValue) {
        if (!has(field)) {
            return defaultValue;
        }
        JsonNode n = node.get(field);
        if (!n.isBoolean()) {
            throw error(field, "true or false", n);
        }
        return n.booleanValue();
    }

    String string(String field) {
        JsonNode n = node.get(field);
        if (n == null || !n.isTextual() || n.textValue().isBlank()) {
            throw error(field, "a non-empty string", n);
        }
        return n.textValue();
    }

    String string(String field, String defaultValue) {
        return has(field) ? string(field) : defaultValue;
    }

    Optional<String> optionalString(String field) {
        return has(field) ? Optional.of(string(field)) : Optional.empty();
    }

    /** A name pattern with exactly one {@code %d} (the layer index), e.g. {@code past_key_values.%d.key}. */
    String layerPattern(String field, String defaultValue) {
        String v = string(field, defaultValue);
        int first = v.indexOf("%d");
        if (first < 0 || v.indexOf("%d", first + 1) >= 0 || v.replace("%d", "").contains("%")) {
            throw error(field, "a name pattern with exactly one %d", node.get(field));
        }
        return v;
    }

    /**
     * onnxruntime-genai's {@code provider_options}: {@code [{"cuda": {"enable_cuda_graph": "0"}}, …]} → provider →
     * option → value (values as written; numbers and booleans as their text). Empty when the field is absent.
     */
    Map<String, Map<String, String>> providerOptions(String field) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return Map.of();
        }
        String expected = "an array of {provider: {option: value}} objects";
        if (!n.isArray()) {
            throw error(field, expected, n);
        }
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (JsonNode entry : n) {
            if (!entry.isObject()) {
                throw error(field, expected, n);
            }
            for (Map.Entry<String, JsonNode> provider : entry.properties()) {
                if (!provider.getValue().isObject()) {
                    throw error(field, expected, n);
                }
                Map<String, String> options = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> option : provider.getValue().properties()) {
                    if (!option.getValue().isValueNode() || option.getValue().isNull()) {
                        throw error(field, "option values that are strings, numbers or booleans", n);
                    }
                    options.put(option.getKey(), option.getValue().asText());
                }
                out.put(provider.getKey(), Collections.unmodifiableMap(options));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** An integer or an array of integers (genai_config's {@code eos_token_id} takes both forms). */
    List<Integer> integers(String field) {
        JsonNode n = node.get(field);
        List<Integer> out = new ArrayList<>();
        if (n != null && n.isIntegralNumber()) {
            out.add(n.intValue());
        } else if (n != null && n.isArray() && !n.isEmpty()) {
            for (JsonNode e : n) {
                if (!e.isIntegralNumber()) {
                    throw error(field, "an integer or an array of integers", n);
                }
                out.add(e.intValue());
            }
        } else {
            throw error(field, "an integer or a non-empty array of integers", n);
        }
        return List.copyOf(out);
    }
}
