package dev.phi4ee.core.api;

import dev.phi4ee.core.generate.constrain.SchemaCompiler;
import java.util.Objects;

/**
 * A function the model may call. The definitions of a request are listed, as a JSON array of
 * {@code {"name", "description", "parameters"}} objects, in the system message between {@code <|tool|>} and
 * {@code <|/tool|>} (the form of Microsoft's Phi-4-mini model card). The parameters are a JSON Schema of the
 * arguments object, checked here as {@link ResponseFormat#jsonSchema} checks a schema; a {@link ToolChoice} that
 * requires a call constrains the arguments to it.
 *
 * @param name the function name (letters, digits, {@code _ - .}; 1–64 characters, as OpenAI requires)
 * @param description what the function does (may be empty)
 * @param parametersSchema JSON Schema of the arguments object; {@code {"type":"object"}} for any object
 */
public record ToolDefinition(String name, String description, String parametersSchema) {
    public ToolDefinition {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        parametersSchema = parametersSchema == null ? "{\"type\":\"object\"}" : parametersSchema;
        if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new InvalidInputException(
                    "tool name '" + name + "' must be 1-64 letters, digits, underscores, dots or dashes");
        }
        SchemaCompiler.checkToolParameters(name, parametersSchema);
    }

    public static ToolDefinition of(String name, String description, String parametersSchema) {
        return new ToolDefinition(name, description, parametersSchema);
    }
}
