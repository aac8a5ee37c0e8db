package dev.phi4ee.samples.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.StructuredChatCompletion;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import dev.phi4ee.openai.EngineHolder;
import dev.phi4ee.openai.OpenAiApiConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Structured output through the official OpenAI Java SDK: {@code response_format} JSON schema and JSON object, tools
 * with {@code tool_choice}, streamed and not. The test kit's model has RANDOM weights, so every answer that parses and
 * validates (networknt's validator, an independent implementation) does so only because decoding is constrained.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OpenAiStructuredOutputTest {
    static final String MODEL = OpenAiApiConfig.DEFAULT_MODEL_ID;
    static final ObjectMapper JSON = new ObjectMapper();
    static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    static final String INVOICE = "{\"type\":\"object\",\"properties\":{"
            + "\"number\":{\"type\":\"string\",\"maxLength\":12},"
            + "\"total\":{\"type\":\"number\",\"minimum\":0,\"maximum\":100000},"
            + "\"currency\":{\"enum\":[\"EUR\",\"USD\",\"GBP\"]},"
            + "\"lines\":{\"type\":\"array\",\"maxItems\":3,\"items\":{\"type\":\"object\",\"properties\":{"
            + "\"item\":{\"type\":\"string\",\"maxLength\":20},\"quantity\":{\"type\":\"integer\",\"minimum\":1,"
            + "\"maximum\":99}},\"required\":[\"item\",\"quantity\"],\"additionalProperties\":false}}},"
            + "\"required\":[\"number\",\"total\",\"currency\",\"lines\"],\"additionalProperties\":false}";
    static final String WEATHER = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":"
            + "20},\"unit\":{\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"city\",\"unit\"],"
            + "\"additionalProperties\":false}";
    static final String TIME = "{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\",\"maxLength\":8}},"
            + "\"required\":[\"zone\"],\"additionalProperties\":false}";

    static Phi4Engine engine;
    static ApiServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        engine = Phi4Engine.open(
                Phi4TestModels.shared(TestModelSpec.defaults()),
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .maxBatchSize(8)
                        .build());
        server = ApiServer.start("127.0.0.1", 0, OpenAiApiConfig.defaults(), EngineHolder.of(engine));
        client = OpenAIOkHttpClient.builder()
                .baseUrl(server.baseUri() + "v1")
                .apiKey("unused")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(120))
                .build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    static Map<String, JsonValue> properties(String json) throws Exception {
        Map<String, Object> map = JSON.readValue(json, new TypeReference<>() {});
        return map.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> JsonValue.from(e.getValue())));
    }

    static ResponseFormatJsonSchema jsonSchema(String name, String schema) throws Exception {
        return ResponseFormatJsonSchema.builder()
                .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                        .name(name)
                        .strict(true)
                        .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                .putAllAdditionalProperties(properties(schema))
                                .build())
                        .build())
                .build();
    }

    static ChatCompletionFunctionTool tool(String name, String parameters) throws Exception {
        return ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder()
                        .name(name)
                        .description("Test tool " + name)
                        .parameters(FunctionParameters.builder()
                                .putAllAdditionalProperties(properties(parameters))
                                .build())
                        .strict(true)
                        .build())
                .build();
    }

    static ChatCompletionCreateParams.Builder ask(String prompt, long maxTokens) {
        return ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage(prompt)
                .maxCompletionTokens(maxTokens);
    }

    /** The validation errors of {@code document} against {@code schema}; empty when valid. */
    static List<String> errors(String schema, String document) {
        JsonNode node;
        try {
            node = JSON.readTree(document);
        } catch (Exception e) {
            return List.of("not JSON: " + e.getMessage() + " in " + document);
        }
        Schema s = SCHEMAS.getSchema(schema);
        return s.validate(node, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true))).stream()
                .map(Object::toString)
                .toList();
    }

    static ChatCompletion streamed(ChatCompletionCreateParams params) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> response =
                client.chat().completions().createStreaming(params)) {
            response.stream().forEach(accumulator::accumulate);
        }
        return accumulator.chatCompletion();
    }

    @Test
    void jsonSchemaAnswersValidateGreedySampledAndStreamed() throws Exception {
        ResponseFormatJsonSchema format = jsonSchema("invoice", INVOICE);
        ChatCompletion greedy = client.chat()
                .completions()
                .create(ask("Extract the invoice.", 400)
                        .temperature(0.0)
                        .responseFormat(format)
                        .build());
        String text = greedy.choices().get(0).message().content().orElseThrow();
        assertThat(errors(INVOICE, text)).as(text).isEmpty();
        assertThat(greedy.choices().get(0).finishReason().asString()).isEqualTo("stop");

        ChatCompletion stream = streamed(ask("Extract the invoice.", 400)
                .temperature(0.0)
                .responseFormat(format)
                .build());
        assertThat(stream.choices().get(0).message().content()).contains(text);

        for (long seed = 1; seed <= 6; seed++) {
            ChatCompletion sampled = client.chat()
                    .completions()
                    .create(ask("Extract the invoice #" + seed, 400)
                            .temperature(1.0)
                            .putAdditionalBodyProperty("seed", JsonValue.from(seed))
                            .responseFormat(format)
                            .build());
            String answer = sampled.choices().get(0).message().content().orElseThrow();
            assertThat(errors(INVOICE, answer)).as("seed %d: %s", seed, answer).isEmpty();
        }
    }

    @Test
    void jsonObjectModeAnswersWithAnObject() throws Exception {
        ChatCompletion c = client.chat()
                .completions()
                .create(ask("Any object.", 200)
                        .temperature(0.0)
                        .responseFormat(ResponseFormatJsonObject.builder().build())
                        .build());
        String text = c.choices().get(0).message().content().orElseThrow();
        if (c.choices().get(0).finishReason().asString().equals("stop")) {
            assertThat(JSON.readTree(text).isObject()).as(text).isTrue();
        } else {
            assertThat(text)
                    .as("cut short by the token bound, still the start of an object")
                    .startsWith("{");
        }
    }

    enum Mood {
        CALM,
        ANGRY,
        HAPPY
    }

    /** Only bounded types: the SDK's generated schema has no length or range bounds for strings and numbers. */
    record Verdict(Mood mood, boolean urgent, List<Mood> history) {}

    @Test
    void theSdksClassBasedStructuredOutputParses() {
        StructuredChatCompletion<Verdict> c = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("Who?")
                        .temperature(0.0)
                        .maxCompletionTokens(200)
                        .responseFormat(Verdict.class)
                        .build());
        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("stop");
        Verdict verdict = c.choices().get(0).message().content().orElseThrow();
        assertThat(verdict.mood()).isNotNull();
        assertThat(verdict.history()).isNotNull();
    }

    @Test
    void aRequiredToolCallComesBackValidForItsParameters() throws Exception {
        ChatCompletionCreateParams params = ask("What is the weather in Oslo?", 200)
                .temperature(0.0)
                .addTool(tool("get_weather", WEATHER))
                .addTool(tool("get_time", TIME))
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
                .build();
        ChatCompletion c = client.chat().completions().create(params);
        ChatCompletion.Choice choice = c.choices().get(0);
        assertThat(choice.finishReason().asString()).isEqualTo("tool_calls");
        List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
        assertThat(calls).isNotEmpty();
        for (ChatCompletionMessageToolCall call : calls) {
            ChatCompletionMessageFunctionToolCall f = call.asFunction();
            assertThat(f.id()).startsWith("call_");
            String name = f.function().name();
            assertThat(name).isIn("get_weather", "get_time");
            String arguments = f.function().arguments();
            assertThat(errors(name.equals("get_weather") ? WEATHER : TIME, arguments))
                    .as(arguments)
                    .isEmpty();
        }
        assertThat(choice.message().content().orElse("")).doesNotContain("<|tool_call|>");

        ChatCompletion stream = streamed(params);
        List<ChatCompletionMessageToolCall> streamedCalls =
                stream.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(streamedCalls)
                .extracting(t -> t.asFunction().function().name()
                        + t.asFunction().function().arguments())
                .containsExactlyElementsOf(calls.stream()
                        .map(t -> t.asFunction().function().name()
                                + t.asFunction().function().arguments())
                        .toList());
        assertThat(stream.choices().get(0).finishReason().asString()).isEqualTo("tool_calls");
    }

    /**
     * The whole loop as an SDK user writes it: a required call, the assistant message sent back as it came, one tool
     * message per call, and a second turn that answers in text ({@code none}: random weights would call again).
     */
    @Test
    void aToolLoopFeedsResultsBackAndTheSecondTurnAnswers() throws Exception {
        ChatCompletion first = client.chat()
                .completions()
                .create(ask("What is the weather in Oslo?", 500)
                        .temperature(0.0)
                        .addTool(tool("get_weather", WEATHER))
                        .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
                        .build());
        ChatCompletionMessage assistant = first.choices().get(0).message();
        List<ChatCompletionMessageToolCall> calls = assistant.toolCalls().orElseThrow();
        assertThat(calls).isNotEmpty();

        ChatCompletionCreateParams.Builder second = ask("What is the weather in Oslo?", 16)
                .temperature(0.0)
                .addTool(tool("get_weather", WEATHER))
                .toolChoice(ChatCompletionToolChoiceOption.Auto.NONE)
                .addMessage(assistant);
        for (ChatCompletionMessageToolCall call : calls) {
            second.addMessage(ChatCompletionToolMessageParam.builder()
                    .toolCallId(call.asFunction().id())
                    .content("{\"temperature\":21,\"sky\":\"clear\"}")
                    .build());
        }
        ChatCompletionCreateParams params = second.build();
        ChatCompletion answer = client.chat().completions().create(params);
        ChatCompletion.Choice choice = answer.choices().get(0);
        assertThat(choice.finishReason().asString()).isIn("stop", "length");
        assertThat(choice.message().toolCalls().orElse(List.of())).isEmpty();
        assertThat(choice.message().content().orElseThrow()).isNotEmpty().doesNotContain("<|tool_call|>");
        assertThat(first.usage().orElseThrow().promptTokens())
                .isLessThan(answer.usage().orElseThrow().promptTokens());

        ChatCompletion streamedAnswer = streamed(params);
        assertThat(streamedAnswer.choices().get(0).message().content())
                .isEqualTo(choice.message().content());

        assertThatThrownBy(() -> client.chat()
                        .completions()
                        .create(ask("x", 5)
                                .addMessage(assistant)
                                .addMessage(ChatCompletionToolMessageParam.builder()
                                        .toolCallId("call_unknown")
                                        .content("1")
                                        .build())
                                .build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).contains("messages[2].tool_call_id");
                    assertThat(e.getMessage()).contains("call_unknown");
                });
    }

    /** Like OpenAI: a call's first delta has index, id, type and name with empty arguments; the arguments follow. */
    @Test
    void streamedCallsComeInPiecesThatAddUpToTheArguments() throws Exception {
        ChatCompletionCreateParams params = ask("What is the weather in Oslo?", 500)
                .temperature(0.0)
                .addTool(tool("get_weather", WEATHER))
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
                .build();
        List<ChatCompletionMessageToolCall> whole = client.chat()
                .completions()
                .create(params)
                .choices()
                .get(0)
                .message()
                .toolCalls()
                .orElseThrow();
        List<ChatCompletionChunk.Choice.Delta.ToolCall> deltas = new java.util.ArrayList<>();
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> response =
                client.chat().completions().createStreaming(params)) {
            response.stream().forEach(chunk -> {
                accumulator.accumulate(chunk);
                chunk.choices().forEach(c -> deltas.addAll(c.delta().toolCalls().orElse(List.of())));
            });
        }
        ChatCompletionChunk.Choice.Delta.ToolCall start = deltas.get(0);
        assertThat(start.index()).isZero();
        assertThat(start.id()).contains("call_0");
        assertThat(start.function().orElseThrow().name()).contains("get_weather");
        assertThat(start.function().orElseThrow().arguments()).contains("");
        assertThat(deltas.size()).as("arguments in pieces").isGreaterThan(whole.size() + 1);
        List<ChatCompletionMessageToolCall> merged = accumulator
                .chatCompletion()
                .choices()
                .get(0)
                .message()
                .toolCalls()
                .orElseThrow();
        assertThat(merged)
                .extracting(t ->
                        t.asFunction().id() + " " + t.asFunction().function().name() + " "
                                + t.asFunction().function().arguments())
                .containsExactlyElementsOf(whole.stream()
                        .map(t -> t.asFunction().id() + " "
                                + t.asFunction().function().name() + " "
                                + t.asFunction().function().arguments())
                        .toList());
    }

    @Test
    void aNamedToolChoiceCallsThatTool() throws Exception {
        // Random weights may keep appending calls until the token bound (finish "length", no parsed calls): every
        // answer that ends is checked, and most must end.
        int ended = 0;
        for (long seed = 1; seed <= 4; seed++) {
            ChatCompletion c = client.chat()
                    .completions()
                    .create(ask("Time in Tokyo?", 300)
                            .temperature(1.0)
                            .putAdditionalBodyProperty("seed", JsonValue.from(seed))
                            .addTool(tool("get_weather", WEATHER))
                            .addTool(tool("get_time", TIME))
                            .toolChoice(ChatCompletionNamedToolChoice.builder()
                                    .function(ChatCompletionNamedToolChoice.Function.builder()
                                            .name("get_time")
                                            .build())
                                    .build())
                            .build());
            ChatCompletion.Choice choice = c.choices().get(0);
            if (choice.finishReason().asString().equals("length")) {
                assertThat(choice.message().toolCalls().orElse(List.of())).isEmpty();
                continue;
            }
            ended++;
            assertThat(choice.finishReason().asString()).isEqualTo("tool_calls");
            assertThat(choice.message().toolCalls().orElseThrow()).isNotEmpty().allSatisfy(call -> {
                assertThat(call.asFunction().function().name()).isEqualTo("get_time");
                assertThat(errors(TIME, call.asFunction().function().arguments()))
                        .isEmpty();
            });
        }
        assertThat(ended).as("answers that ended in calls").isGreaterThanOrEqualTo(2);
    }

    @Test
    void anUnsupportedSchemaIsA400NamingTheSchema() {
        assertThatThrownBy(() -> client.chat()
                        .completions()
                        .create(ask("x", 10)
                                .responseFormat(
                                        jsonSchema("bad", "{\"type\":\"object\",\"allOf\":[{\"type\":\"object\"}]}"))
                                .build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).contains("response_format.json_schema.schema");
                    assertThat(e.getMessage()).contains("allOf");
                });
    }
}
