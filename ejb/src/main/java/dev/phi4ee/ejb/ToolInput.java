package dev.phi4ee.ejb;

import jakarta.json.bind.annotation.JsonbTypeDeserializer;
import jakarta.json.bind.annotation.JsonbTypeSerializer;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.io.Serializable;

/**
 * A function the model may call: {@code {"name": "lookup_customer", "description": "…", "parameters": {JSON
 * Schema}}}. Calls come back in {@link Phi4Response#getToolCalls()}.
 */
public class ToolInput implements Serializable {
    private static final long serialVersionUID = 1L;

    @NotNull(message = "a tool needs a name")
    @Size(min = 1, max = 64)
    private String name;

    @Size(max = 10_000)
    private String description;

    /** JSON Schema of the arguments object, as JSON text; nested JSON in messages. Null: any object. */
    @Size(max = 100_000)
    @JsonbTypeDeserializer(JsonText.Reader.class)
    @JsonbTypeSerializer(JsonText.Writer.class)
    private String parameters;

    public ToolInput() {}

    public ToolInput(String name, String description, String parameters) {
        this.name = name;
        this.description = description;
        this.parameters = parameters;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public String getParameters() {
        return parameters;
    }

    public void setParameters(String parameters) {
        this.parameters = parameters;
    }
}
