package dev.phi4ee.core.api;

import java.util.Objects;

/**
 * A function call the model made, parsed from its {@code <|tool_call|>[{"name": …, "arguments": {…}}]<|/tool_call|>}
 * output.
 *
 * @param id {@code call_<n>}, numbered from 0 in the order of the result (unique within one result)
 * @param name the function name
 * @param arguments the arguments object as compact JSON text
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }
}
