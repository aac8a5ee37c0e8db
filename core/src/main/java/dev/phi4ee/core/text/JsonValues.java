package dev.phi4ee.core.text;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON value from a streaming parser into plain maps, lists, strings, numbers, booleans and null. The small
 * sections of tokenizer files are read this way so that loading needs only jackson-core's streaming parser, not an
 * {@code ObjectMapper} (whose start-up alone cost more than a third of a cold load).
 */
final class JsonValues {
    private JsonValues() {}

    /** Reads the value whose first token is the parser's current token. */
    static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected end of input");
        }
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, read(p));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p));
                }
                return list;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + t);
        }
    }

    /** The member {@code key} of {@code node} when it is an object, else null. */
    static Object get(Object node, String key) {
        return node instanceof Map<?, ?> map ? map.get(key) : null;
    }

    /** What a value is, for error messages: {@code of type "X"} for typed objects, else its JSON kind. */
    static String describe(Object node) {
        if (node instanceof Map<?, ?> map) {
            return map.get("type") instanceof String type ? "of type \"" + type + "\"" : "an object";
        }
        if (node instanceof List<?>) {
            return "an array";
        }
        if (node instanceof String s) {
            return "\"" + (s.length() > 80 ? s.substring(0, 80) + "…" : s) + "\"";
        }
        return String.valueOf(node);
    }
}
