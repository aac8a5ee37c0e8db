package dev.phi4ee.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.ResponseFormat;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolChoice;
import dev.phi4ee.core.api.ToolDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * The structured-output fields of a Chat Completions request: {@code response_format} ({@code text},
 * {@code json_object}, {@code json_schema}), {@code tools} (functions) and {@code tool_choice}, and the
 * {@code tool_calls} of assistant messages in the history. A schema the engine cannot honour (unsupported keyword,
 * not JSON) is a 400 naming the field, raised while parsing, before anything is queued.
 */
final class StructuredOutputParser {
    private StructuredOutputParser() {}

    static ResponseFormat responseFormat(JsonNode body) {
        JsonNode format = ChatRequestParser.present(body, "response_format");
        if (format == null) {
            return ResponseFormat.text();
        }
        if (!format.isObject()) {
            throw ApiException.invalid("response_format", "response_format must be an object");
        }
        String type = ChatRequestParser.requiredText(format, "type", "response_format.type");
        return switch (type) {
            case "text" -> ResponseFormat.text();
            case "json_object" -> ResponseFormat.json();
            case "json_schema" -> jsonSchema(format.get("json_schema"));
            default ->
                throw ApiException.invalid(
                        "response_format.type",
                        "response_format.type must be text, json_object or json_schema, was '" + type + "'");
        };
    }

    /** {@code {"name", "description"?, "schema"?, "strict"?}}; without a schema, any JSON object. */
    private static ResponseFormat jsonSchema(JsonNode spec) {
        String param = "response_format.json_schema";
        if (spec == null || !spec.isObject()) {
            throw ApiException.invalid(param, param + " must be an object with a name and a schema");
        }
        String name = ChatRequestParser.requiredText(spec, "name", param + ".name");
        JsonNode strict = ChatRequestParser.present(spec, "strict");
        if (strict != null && !strict.isBoolean()) {
            throw ApiException.invalid(param + ".strict", param + ".strict must be a boolean");
        }
        // strict or not, decoding is always constrained: the answer is valid for the schema by construction.
        JsonNode schema = ChatRequestParser.present(spec, "schema");
        if (schema == null) {
            return ResponseFormat.json();
        }
        if (!schema.isObject()) {
            throw ApiException.invalid(param + ".schema", param + ".schema must be a JSON Schema object");
        }
        try {
            return ResponseFormat.jsonSchema(name, Json.write(schema));
        } catch (InvalidInputException e) {
            throw ApiException.invalid(param + ".schema", e.getMessage());
        }
    }

    static List<ToolDefinition> tools(JsonNode body) {
        JsonNode tools = ChatRequestParser.present(body, "tools");
        if (tools == null) {
            return List.of();
        }
        if (!tools.isArray()) {
            throw ApiException.invalid("tools", "tools must be an array");
        }
        List<ToolDefinition> result = new ArrayList<>(tools.size());
        for (int i = 0; i < tools.size(); i++) {
            result.add(tool(tools.get(i), "tools[" + i + "]"));
        }
        return result;
    }

    /** {@code {"type": "function", "function": {"name", "description"?, "parameters"?, "strict"?}}}. */
    private static ToolDefinition tool(JsonNode tool, String param) {
        if (!tool.isObject()) {
            throw ApiException.invalid(param, param + " must be an object");
        }
        String type = ChatRequestParser.requiredText(tool, "type", param + ".type");
        if (!type.equals("function")) {
            throw ApiException.unsupported(
                    param + ".type", "only function tools are supported, not '" + type + "' tools");
        }
        JsonNode function = ChatRequestParser.present(tool, "function");
        if (function == null || !function.isObject()) {
            throw ApiException.invalid(param + ".function", param + ".function must be an object");
        }
        String name = ChatRequestParser.requiredText(function, "name", param + ".function.name");
        JsonNode description = ChatRequestParser.present(function, "description");
        if (description != null && !description.isTextual()) {
            throw ApiException.invalid(param + ".function.description", "the description must be a string");
        }
        JsonNode strict = ChatRequestParser.present(function, "strict");
        if (strict != null && !strict.isBoolean()) {
            throw ApiException.invalid(param + ".function.strict", param + ".function.strict must be a boolean");
        }
        JsonNode parameters = ChatRequestParser.present(function, "parameters");
        if (parameters != null && !parameters.isObject()) {
            throw ApiException.invalid(param + ".function.parameters", "the parameters must be a JSON Schema object");
        }
        try {
            return ToolDefinition.of(
                    name,
                    description == null ? null : description.textValue(),
                    parameters == null ? null : Json.write(parameters));
        } catch (InvalidInputException e) {
            throw ApiException.invalid(
                    param + (e.getMessage().contains("tool name") ? ".function.name" : ".function.parameters"),
                    e.getMessage());
        }
    }

    /** {@code "none"}, {@code "auto"}, {@code "required"} or {@code {"type":"function","function":{"name"}}}. */
    static ToolChoice toolChoice(JsonNode body) {
        JsonNode choice = ChatRequestParser.present(body, "tool_choice");
        if (choice == null) {
            return ToolChoice.auto();
        }
        if (choice.isTextual()) {
            return switch (choice.textValue()) {
                case "none" -> ToolChoice.none();
                case "auto" -> ToolChoice.auto();
                case "required" -> ToolChoice.required();
                default ->
                    throw ApiException.invalid(
                            "tool_choice",
                            "tool_choice must be none, auto, required or a function object, was '" + choice.textValue()
                                    + "'");
            };
        }
        if (!choice.isObject()) {
            throw ApiException.invalid("tool_choice", "tool_choice must be a string or an object");
        }
        String type = ChatRequestParser.requiredText(choice, "type", "tool_choice.type");
        if (!type.equals("function")) {
            throw ApiException.unsupported(
                    "tool_choice.type", "only tool_choice of type function is supported, not '" + type + "'");
        }
        return ToolChoice.named(
                ChatRequestParser.requiredText(choice.path("function"), "name", "tool_choice.function.name"));
    }

    /**
     * The {@code tool_calls} of an assistant turn in the history, {@code [{"id", "type": "function", "function":
     * {"name", "arguments"}}]}; the arguments text is kept as it is (the engine's own answers are compact JSON).
     */
    static List<ToolCall> toolCalls(JsonNode toolCalls, String param) {
        if (!toolCalls.isArray() || toolCalls.isEmpty()) {
            throw ApiException.invalid(param, param + " must be a non-empty array");
        }
        List<ToolCall> calls = new ArrayList<>(toolCalls.size());
        for (int i = 0; i < toolCalls.size(); i++) {
            String callParam = param + "[" + i + "]";
            JsonNode call = toolCalls.get(i);
            JsonNode type = ChatRequestParser.present(call, "type");
            if (type != null && !"function".equals(type.asText())) {
                throw ApiException.unsupported(callParam + ".type", "only function tool calls are supported");
            }
            String id = ChatRequestParser.requiredText(call, "id", callParam + ".id");
            JsonNode function = call.path("function");
            String name = ChatRequestParser.requiredText(function, "name", callParam + ".function.name");
            String arguments = ChatRequestParser.requiredText(function, "arguments", callParam + ".function.arguments");
            checkArguments(arguments, callParam + ".function.arguments");
            calls.add(new ToolCall(id, name, arguments));
        }
        return calls;
    }

    private static void checkArguments(String arguments, String param) {
        try {
            JsonNode node = Json.MAPPER.readTree(arguments);
            if (node == null || !node.isObject()) {
                throw ApiException.invalid(param, param + " must be a JSON object (as text)");
            }
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(param, param + " is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
