package dev.phi4ee.ejb;

import jakarta.json.bind.annotation.JsonbTypeDeserializer;
import jakarta.json.bind.annotation.JsonbTypeSerializer;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.io.Serializable;

/**
 * What the answer must be: {@code text} (default), {@code json_object} (any JSON object) or {@code json_schema} (a
 * document valid for {@link #getSchema() schema}, by constrained decoding) — OpenAI's {@code response_format} types.
 * In JSON: {@code {"type": "json_schema", "name": "invoice", "schema": {…}}}.
 */
public class ResponseFormatInput implements Serializable {
    private static final long serialVersionUID = 1L;

    @NotNull(message = "responseFormat.type is required")
    @Pattern(
            regexp = "text|json_object|json_schema",
            message = "responseFormat.type must be text, json_object or json_schema")
    private String type;

    @Size(max = 64)
    private String name;

    /** The JSON Schema (for json_schema), as JSON text; nested JSON in messages. */
    @Size(max = 100_000, message = "responseFormat.schema must be at most 100000 characters")
    @JsonbTypeDeserializer(JsonText.Reader.class)
    @JsonbTypeSerializer(JsonText.Writer.class)
    private String schema;

    public ResponseFormatInput() {}

    public static ResponseFormatInput jsonSchema(String name, String schema) {
        ResponseFormatInput f = new ResponseFormatInput();
        f.type = "json_schema";
        f.name = name;
        f.schema = schema;
        return f;
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getSchema() {
        return schema;
    }

    public void setSchema(String schema) {
        this.schema = schema;
    }
}
