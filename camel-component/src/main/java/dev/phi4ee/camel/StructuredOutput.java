package dev.phi4ee.camel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.ResponseFormat;
import dev.phi4ee.core.api.ToolChoice;
import dev.phi4ee.core.api.ToolDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.ResourceHelper;

/**
 * An endpoint's structured-output settings — response format ({@code jsonSchema}, {@code jsonMode}), {@code
 * outputClass}, {@code tools}, {@code toolChoice} — resolved once when the producer starts (resources loaded, schemas
 * checked, the class loaded), and their per-exchange header overrides.
 */
final class StructuredOutput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CamelContext context;
    private final ResponseFormat format;
    private final Class<?> outputClass;
    private final List<ToolDefinition> tools;
    private final ToolChoice toolChoice;

    private StructuredOutput(
            CamelContext context,
            ResponseFormat format,
            Class<?> outputClass,
            List<ToolDefinition> tools,
            ToolChoice toolChoice) {
        this.context = context;
        this.format = format;
        this.outputClass = outputClass;
        this.tools = tools;
        this.toolChoice = toolChoice;
    }

    /**
     * @throws InvalidInputException naming the option when a schema or tool list is not valid, a resource is missing
     *     or the output class cannot be loaded
     */
    static StructuredOutput of(CamelContext context, Phi4Configuration c) {
        Class<?> outputClass =
                c.getOutputClass() == null ? null : loadClass(context, c.getOutputClass(), "outputClass");
        ResponseFormat format = ResponseFormat.text();
        if (c.getJsonSchema() != null && !c.getJsonSchema().isBlank()) {
            format = schema(text(context, c.getJsonSchema(), "jsonSchema"), "jsonSchema");
        } else if (outputClass != null) {
            format = schema(OutputClassSchema.of(outputClass), "outputClass " + outputClass.getName());
        } else if (c.isJsonMode()) {
            format = ResponseFormat.json();
        }
        List<ToolDefinition> tools = c.getTools() == null || c.getTools().isBlank()
                ? List.of()
                : tools(text(context, c.getTools(), "tools"), "tools");
        return new StructuredOutput(context, format, outputClass, tools, toolChoice(c.getToolChoice(), "toolChoice"));
    }

    /** The endpoint's response format (the default of every exchange). */
    ResponseFormat format() {
        return format;
    }

    /**
     * The format the headers ask for, or null for the endpoint's: the {@link Phi4Constants#JSON_SCHEMA} schema, else
     * the schema of the {@link Phi4Constants#OUTPUT_CLASS} class unless the endpoint has a schema of its own (the
     * answer is then parsed from that).
     */
    ResponseFormat headerFormat(Exchange exchange) {
        String schema = exchange.getMessage().getHeader(Phi4Constants.JSON_SCHEMA, String.class);
        if (schema != null) {
            return schema(text(context, schema, Phi4Constants.JSON_SCHEMA), Phi4Constants.JSON_SCHEMA);
        }
        String type = exchange.getMessage().getHeader(Phi4Constants.OUTPUT_CLASS, String.class);
        if (type != null && format.kind() != ResponseFormat.Kind.JSON_SCHEMA) {
            Class<?> outputType = loadClass(context, type, Phi4Constants.OUTPUT_CLASS);
            return schema(OutputClassSchema.of(outputType), Phi4Constants.OUTPUT_CLASS + " " + type);
        }
        return null;
    }

    List<ToolDefinition> tools(Exchange exchange) {
        Object header = exchange.getMessage().getHeader(Phi4Constants.TOOLS);
        if (header == null) {
            return tools;
        }
        if (header instanceof List<?> list && list.stream().allMatch(ToolDefinition.class::isInstance)) {
            return list.stream().map(ToolDefinition.class::cast).toList();
        }
        String text = exchange.getContext().getTypeConverter().convertTo(String.class, exchange, header);
        return tools(text(context, text, Phi4Constants.TOOLS), Phi4Constants.TOOLS);
    }

    ToolChoice toolChoice(Exchange exchange) {
        String header = exchange.getMessage().getHeader(Phi4Constants.TOOL_CHOICE, String.class);
        return header == null ? toolChoice : toolChoice(header, Phi4Constants.TOOL_CHOICE);
    }

    /**
     * Puts a result's tool calls in {@link Phi4Constants#TOOL_CALLS}; a turn that ended in calls gets them as its
     * body, and with an output class an answer becomes that class's object.
     *
     * @throws InvalidInputException when the answer does not parse into the output class
     */
    void writeBody(Exchange exchange, GenerationResult result) {
        Message message = exchange.getMessage();
        if (!result.toolCalls().isEmpty()) {
            message.setHeader(Phi4Constants.TOOL_CALLS, result.toolCalls());
        }
        if (result.finishReason() == FinishReason.TOOL_CALLS) {
            message.setBody(result.toolCalls());
            return;
        }
        Class<?> type = outputClass;
        String header = message.getHeader(Phi4Constants.OUTPUT_CLASS, String.class);
        if (header != null) {
            type = loadClass(context, header, Phi4Constants.OUTPUT_CLASS);
        }
        if (type != null) {
            message.setBody(parse(result, type));
        }
    }

    private static Object parse(GenerationResult result, Class<?> type) {
        try {
            return JSON.readValue(result.text(), type);
        } catch (JsonProcessingException e) {
            String cut = result.finishReason() == FinishReason.STOP
                    ? ""
                    : " (generation ended with " + result.finishReason() + ", so the JSON may be cut short; raise"
                            + " maxOutputLength or the timeout)";
            throw new InvalidInputException(
                    "phi4: the answer does not parse as " + type.getName() + cut + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Inline JSON as it is; otherwise a resource ({@code resource:classpath:…}, {@code classpath:…}, {@code file:…}). */
    private static String text(CamelContext context, String value, String option) {
        String v = value.strip();
        if (v.startsWith("{") || v.startsWith("[")) {
            return v;
        }
        String uri = v.startsWith("resource:") ? v.substring("resource:".length()) : v;
        if (!ResourceHelper.hasScheme(uri)) {
            throw new InvalidInputException("phi4: " + option + " is neither inline JSON nor a resource reference"
                    + " (resource:classpath:…, classpath:…, file:…): '" + abbreviate(v) + "'");
        }
        try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(context, uri)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException("phi4: cannot read " + option + " from " + uri + ": " + e.getMessage(), e);
        }
    }

    private static ResponseFormat schema(String text, String option) {
        try {
            return ResponseFormat.jsonSchema(text);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("phi4: " + option + ": " + e.getMessage(), e);
        }
    }

    /** A JSON array of {@code {"name", "description", "parameters"}} objects, parameters a JSON Schema. */
    private static List<ToolDefinition> tools(String text, String option) {
        JsonNode array;
        try {
            array = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("phi4: " + option + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (array == null || !array.isArray()) {
            throw new InvalidInputException(
                    "phi4: " + option + " must be a JSON array of {name, description, parameters} objects");
        }
        List<ToolDefinition> tools = new ArrayList<>();
        for (JsonNode tool : array) {
            JsonNode name = tool.get("name");
            if (name == null || !name.isTextual()) {
                throw new InvalidInputException("phi4: " + option + "[" + tools.size() + "] needs a string name");
            }
            JsonNode description = tool.get("description");
            JsonNode parameters = tool.get("parameters");
            try {
                tools.add(ToolDefinition.of(
                        name.textValue(),
                        description == null || description.isNull() ? null : description.asText(),
                        parameters == null || parameters.isNull() ? null : parameters.toString()));
            } catch (InvalidInputException e) {
                throw new InvalidInputException("phi4: " + option + ": " + e.getMessage(), e);
            }
        }
        return tools;
    }

    /** {@code auto}, {@code none}, {@code required}, or a tool's name. */
    private static ToolChoice toolChoice(String value, String option) {
        if (value == null || value.isBlank()) {
            return ToolChoice.auto();
        }
        return switch (value.strip()) {
            case "auto" -> ToolChoice.auto();
            case "none" -> ToolChoice.none();
            case "required" -> ToolChoice.required();
            default -> {
                if (!value.strip().matches("[A-Za-z0-9_.-]{1,64}")) {
                    throw new InvalidInputException(
                            "phi4: " + option + " must be auto, none, required or a tool name, was '" + value + "'");
                }
                yield ToolChoice.named(value.strip());
            }
        };
    }

    private static Class<?> loadClass(CamelContext context, String name, String option) {
        Class<?> type = context.getClassResolver().resolveClass(name.strip());
        if (type == null) {
            throw new InvalidInputException("phi4: " + option + " names class '" + name + "', which is not found");
        }
        return type;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }
}
