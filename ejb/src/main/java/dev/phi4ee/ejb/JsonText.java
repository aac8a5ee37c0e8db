package dev.phi4ee.ejb;

import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.serializer.DeserializationContext;
import jakarta.json.bind.serializer.JsonbDeserializer;
import jakarta.json.bind.serializer.JsonbSerializer;
import jakarta.json.bind.serializer.SerializationContext;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.lang.reflect.Type;

/**
 * A JSON document (a JSON Schema) held as its text in a {@code String} property, but written in the message as
 * nested JSON: {@code "schema": {"type": "object"}}. Reading also accepts the document as a JSON string.
 */
public final class JsonText {
    private JsonText() {}

    /** Reads a nested JSON value (or a string holding one) as its text. */
    public static final class Reader implements JsonbDeserializer<String> {
        @Override
        public String deserialize(JsonParser parser, DeserializationContext ctx, Type rtType) {
            JsonValue value = parser.getValue();
            return value instanceof JsonString s ? s.getString() : value.toString();
        }
    }

    /** Writes the text as nested JSON. */
    public static final class Writer implements JsonbSerializer<String> {
        @Override
        public void serialize(String text, JsonGenerator generator, SerializationContext ctx) {
            try (JsonReader reader = Json.createReader(new StringReader(text))) {
                generator.write(reader.readValue());
            }
        }
    }
}
