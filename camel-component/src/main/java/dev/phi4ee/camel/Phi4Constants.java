package dev.phi4ee.camel;

import org.apache.camel.spi.Metadata;

/** Message headers of the {@code phi4} component: request overrides going in, generation results coming out. */
public final class Phi4Constants {

    @Metadata(
            label = "producer",
            description =
                    "The user prompt; overrides the prompt option. When neither is set a String body is the prompt.",
            javaType = "String")
    public static final String PROMPT = "CamelPhi4Prompt";

    @Metadata(
            label = "producer",
            description = "The system prompt; overrides the systemPrompt option.",
            javaType = "String")
    public static final String SYSTEM_PROMPT = "CamelPhi4SystemPrompt";

    @Metadata(
            label = "producer",
            description = "MIME type of a media body (e.g. image/png, audio/wav, application/pdf); overrides sniffing"
                    + " of the content's leading bytes.",
            javaType = "String")
    public static final String MEDIA_TYPE = "CamelPhi4MediaType";

    @Metadata(label = "producer", description = "Overrides the maxOutputLength option.", javaType = "Integer")
    public static final String MAX_NEW_TOKENS = "CamelPhi4MaxNewTokens";

    @Metadata(label = "producer", description = "Overrides the temperature option.", javaType = "Double")
    public static final String TEMPERATURE = "CamelPhi4Temperature";

    @Metadata(label = "producer", description = "Overrides the seed option.", javaType = "Long")
    public static final String SEED = "CamelPhi4Seed";

    @Metadata(
            label = "producer",
            description = "A JSON Schema for this exchange's answer (inline JSON or a resource reference);"
                    + " overrides the jsonSchema option.",
            javaType = "String")
    public static final String JSON_SCHEMA = "CamelPhi4JsonSchema";

    @Metadata(
            label = "producer",
            description = "Fully qualified class the JSON answer is parsed into; overrides the outputClass option (its"
                    + " schema constrains the answer unless the endpoint has a jsonSchema).",
            javaType = "String")
    public static final String OUTPUT_CLASS = "CamelPhi4OutputClass";

    @Metadata(
            label = "producer",
            description = "Tools for this exchange: a List of ToolDefinition, or a JSON array of {name, description,"
                    + " parameters} objects; overrides the tools option.",
            javaType = "Object")
    public static final String TOOLS = "CamelPhi4Tools";

    @Metadata(
            label = "producer",
            description = "auto, none, required or a tool's name; overrides the toolChoice option.",
            javaType = "String")
    public static final String TOOL_CHOICE = "CamelPhi4ToolChoice";

    @Metadata(
            label = "producer",
            description = "The tool calls of the answer (id, name, arguments as JSON text), when it made any.",
            javaType = "java.util.List<dev.phi4ee.core.api.ToolCall>")
    public static final String TOOL_CALLS = "CamelPhi4ToolCalls";

    @Metadata(
            label = "producer",
            description = "The generated text's finish reason: STOP, LENGTH, CANCELLED, DEADLINE or TOOL_CALLS.",
            javaType = "dev.phi4ee.core.api.FinishReason")
    public static final String FINISH_REASON = "CamelPhi4FinishReason";

    @Metadata(
            label = "producer",
            description = "Token accounting of the request.",
            javaType = "dev.phi4ee.core.api.TokenUsage")
    public static final String TOKEN_USAGE = "CamelPhi4TokenUsage";

    @Metadata(label = "producer", description = "Prompt tokens after media expansion.", javaType = "Integer")
    public static final String PROMPT_TOKENS = "CamelPhi4PromptTokens";

    @Metadata(label = "producer", description = "Generated tokens.", javaType = "Integer")
    public static final String GENERATED_TOKENS = "CamelPhi4GeneratedTokens";

    @Metadata(label = "producer", description = "Prompt plus generated tokens.", javaType = "Integer")
    public static final String TOTAL_TOKENS = "CamelPhi4TotalTokens";

    @Metadata(
            label = "producer",
            description = "Queue, first-token and total wall-clock times of the request.",
            javaType = "dev.phi4ee.core.api.Timings")
    public static final String TIMINGS = "CamelPhi4Timings";

    @Metadata(
            label = "producer",
            description = "Milliseconds from acceptance to the first generated token.",
            javaType = "Long")
    public static final String TIME_TO_FIRST_TOKEN = "CamelPhi4TimeToFirstTokenMillis";

    @Metadata(label = "producer", description = "Milliseconds from acceptance to completion.", javaType = "Long")
    public static final String TOTAL_TIME = "CamelPhi4TotalTimeMillis";

    @Metadata(
            label = "producer",
            description = "The complete generation result.",
            javaType = "dev.phi4ee.core.api.GenerationResult")
    public static final String RESULT = "CamelPhi4Result";

    @Metadata(
            label = "producer",
            description =
                    "The body the exchange had before generation replaced it" + " (when keepOriginalBody is true).",
            javaType = "Object")
    public static final String ORIGINAL_BODY = "CamelPhi4OriginalBody";

    @Metadata(
            label = "producer",
            description = "On a streamed chunk exchange: the 0-based index of the chunk.",
            javaType = "Integer")
    public static final String CHUNK_INDEX = "CamelPhi4ChunkIndex";

    @Metadata(
            label = "producer",
            description = "On a streamed chunk exchange: the exchange id of the request it" + " belongs to.",
            javaType = "String")
    public static final String CORRELATION_ID = "CamelPhi4CorrelationId";

    @Metadata(
            label = "producer",
            description = "On the request exchange after streaming: the number of chunks.",
            javaType = "Integer")
    public static final String CHUNK_COUNT = "CamelPhi4ChunkCount";

    private Phi4Constants() {}
}
