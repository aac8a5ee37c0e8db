package dev.phi4ee.langchain4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import dev.phi4ee.core.api.InvalidInputException;
import java.util.List;
import java.util.Map;

/**
 * Writes LangChain4j's JSON Schema elements (what {@code AiServices} derives from a return type or a {@code @Tool}
 * method) as JSON Schema text for the engine. Written here rather than with LangChain4j's {@code internal} helpers:
 * the text is the engine's input, so its form must not change with a LangChain4j release. Object properties keep
 * their declared order (the engine generates them in that order); definitions go to {@code $defs}, which
 * {@link JsonReferenceSchema} references point into.
 */
final class JsonSchemaText {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonSchemaText() {}

    static String of(JsonSchemaElement element) {
        try {
            return JSON.writeValueAsString(node(element));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON schema", e);
        }
    }

    private static JsonNode node(JsonSchemaElement element) {
        if (element instanceof JsonRawSchema raw) {
            return raw(raw.schema());
        }
        ObjectNode n = JSON.createObjectNode();
        switch (element) {
            case JsonObjectSchema o -> {
                n.put("type", "object");
                describe(n, o.description());
                if (o.properties() != null && !o.properties().isEmpty()) {
                    n.set("properties", map(o.properties()));
                }
                if (o.required() != null && !o.required().isEmpty()) {
                    ArrayNode required = n.putArray("required");
                    o.required().forEach(required::add);
                }
                if (o.additionalProperties() != null) {
                    n.put("additionalProperties", o.additionalProperties());
                }
                if (o.definitions() != null && !o.definitions().isEmpty()) {
                    n.set("$defs", map(o.definitions()));
                }
            }
            case JsonStringSchema s -> type(n, "string", s.description());
            case JsonIntegerSchema i -> type(n, "integer", i.description());
            case JsonNumberSchema num -> type(n, "number", num.description());
            case JsonBooleanSchema b -> type(n, "boolean", b.description());
            case JsonNullSchema nul -> n.put("type", "null");
            case JsonEnumSchema e -> {
                type(n, "string", e.description());
                ArrayNode values = n.putArray("enum");
                e.enumValues().forEach(values::add);
            }
            case JsonArraySchema a -> {
                type(n, "array", a.description());
                if (a.items() != null) {
                    n.set("items", node(a.items()));
                }
            }
            case JsonAnyOfSchema any -> {
                describe(n, any.description());
                n.set("anyOf", list(any.anyOf()));
            }
            case JsonReferenceSchema ref -> {
                n.put("$ref", "#/$defs/" + ref.reference());
                describe(n, ref.description());
            }
            default ->
                throw new UnsupportedFeatureException("JSON schema element "
                        + element.getClass().getSimpleName() + " is not supported by the Phi-4 chat model");
        }
        return n;
    }

    private static void type(ObjectNode n, String type, String description) {
        n.put("type", type);
        describe(n, description);
    }

    private static void describe(ObjectNode n, String description) {
        if (description != null) {
            n.put("description", description);
        }
    }

    private static ObjectNode map(Map<String, JsonSchemaElement> elements) {
        ObjectNode n = JSON.createObjectNode();
        elements.forEach((name, element) -> n.set(name, node(element)));
        return n;
    }

    private static ArrayNode list(List<JsonSchemaElement> elements) {
        ArrayNode n = JSON.createArrayNode();
        elements.forEach(element -> n.add(node(element)));
        return n;
    }

    private static JsonNode raw(String schema) {
        try {
            return JSON.readTree(schema);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("a raw JSON schema is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
