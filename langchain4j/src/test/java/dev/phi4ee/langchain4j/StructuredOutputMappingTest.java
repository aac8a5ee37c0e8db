package dev.phi4ee.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolDefinition;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Response formats, tools and tool calls between LangChain4j and the engine, on a scripted engine. */
class StructuredOutputMappingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALL =
            "<|tool_call|>[{\"name\":\"add\",\"arguments\":{\"a\":2,\"b\":3}}]<|/tool_call|>";

    private static JsonNode tree(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void schemaElementsBecomeJsonSchemaText() throws Exception {
        JsonObjectSchema root = JsonObjectSchema.builder()
                .description("an invoice")
                .addProperty(
                        "number", JsonStringSchema.builder().description("id").build())
                .addProperty("count", new JsonIntegerSchema())
                .addProperty("total", new JsonNumberSchema())
                .addProperty("paid", new JsonBooleanSchema())
                .addProperty(
                        "currency",
                        JsonEnumSchema.builder().enumValues("EUR", "USD").build())
                .addProperty(
                        "lines",
                        JsonArraySchema.builder()
                                .items(JsonReferenceSchema.builder()
                                        .reference("line")
                                        .build())
                                .build())
                .addProperty(
                        "note",
                        JsonAnyOfSchema.builder()
                                .anyOf(new JsonStringSchema(), new JsonNullSchema())
                                .build())
                .addProperty("extra", JsonRawSchema.from("{\"type\":\"string\",\"maxLength\":3}"))
                .required("number", "total")
                .additionalProperties(false)
                .definitions(java.util.Map.of(
                        "line",
                        JsonObjectSchema.builder()
                                .addStringProperty("item")
                                .required("item")
                                .build()))
                .build();
        String text = JsonSchemaText.of(root);
        assertThat(tree(text))
                .isEqualTo(tree("{\"type\":\"object\",\"description\":\"an invoice\",\"properties\":{"
                        + "\"number\":{\"type\":\"string\",\"description\":\"id\"},"
                        + "\"count\":{\"type\":\"integer\"},\"total\":{\"type\":\"number\"},"
                        + "\"paid\":{\"type\":\"boolean\"},"
                        + "\"currency\":{\"type\":\"string\",\"enum\":[\"EUR\",\"USD\"]},"
                        + "\"lines\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/line\"}},"
                        + "\"note\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]},"
                        + "\"extra\":{\"type\":\"string\",\"maxLength\":3}},"
                        + "\"required\":[\"number\",\"total\"],\"additionalProperties\":false,"
                        + "\"$defs\":{\"line\":{\"type\":\"object\",\"properties\":{\"item\":{\"type\":\"string\"}},"
                        + "\"required\":[\"item\"]}}}"));
        // Declared order is kept: the engine generates the properties in this order.
        assertThat(text.indexOf("\"number\"")).isLessThan(text.indexOf("\"count\""));
        assertThat(text.indexOf("\"count\"")).isLessThan(text.indexOf("\"extra\""));
    }

    @Test
    void responseFormatsReachTheEngine() throws Exception {
        ScriptedEngine engine = new ScriptedEngine().answer("{}").answer("{}").answer("x");
        ChatModel model = Phi4ChatModel.builder().engine(engine).build();

        model.chat(ChatRequest.builder()
                .messages(UserMessage.from("hi"))
                .responseFormat(ResponseFormat.JSON)
                .build());
        assertThat(engine.last().options().responseFormat()).isEqualTo(dev.phi4ee.core.api.ResponseFormat.json());

        model.chat(ChatRequest.builder()
                .messages(UserMessage.from("hi"))
                .responseFormat(ResponseFormat.builder()
                        .type(ResponseFormatType.JSON)
                        .jsonSchema(JsonSchema.builder()
                                .name("person")
                                .rootElement(JsonObjectSchema.builder()
                                        .addStringProperty("name")
                                        .required("name")
                                        .build())
                                .build())
                        .build())
                .build());
        dev.phi4ee.core.api.ResponseFormat format = engine.last().options().responseFormat();
        assertThat(format.name()).isEqualTo("person");
        assertThat(tree(format.schema()))
                .isEqualTo(
                        tree(
                                "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}"));

        model.chat(ChatRequest.builder().messages(UserMessage.from("hi")).build());
        assertThat(engine.last().options().responseFormat()).isEqualTo(dev.phi4ee.core.api.ResponseFormat.text());
    }

    record Invoice(String number, double total, List<String> items) {}

    interface Extractor {
        Invoice extract(String text);
    }

    @Test
    void anAiServiceAsksForItsReturnTypesSchemaAndParsesTheAnswer() throws Exception {
        ScriptedEngine engine = new ScriptedEngine().answer("{\"number\":\"A-7\",\"total\":12.5,\"items\":[\"pen\"]}");
        Extractor extractor = AiServices.create(
                Extractor.class, Phi4ChatModel.builder().engine(engine).build());

        Invoice invoice = extractor.extract("Invoice A-7: one pen, 12.50");

        assertThat(invoice).isEqualTo(new Invoice("A-7", 12.5, List.of("pen")));
        dev.phi4ee.core.api.ResponseFormat format = engine.last().options().responseFormat();
        assertThat(format.kind()).isEqualTo(dev.phi4ee.core.api.ResponseFormat.Kind.JSON_SCHEMA);
        JsonNode schema = tree(format.schema());
        assertThat(schema.at("/properties/number/type").asText()).isEqualTo("string");
        assertThat(schema.at("/properties/total/type").asText()).isEqualTo("number");
        assertThat(schema.at("/properties/items/type").asText()).isEqualTo("array");
        assertThat(schema.at("/properties/items/items/type").asText()).isEqualTo("string");
    }

    @Test
    void toolsGoToTheEngineAndCallsComeBackAsExecutionRequests() throws Exception {
        ScriptedEngine engine = new ScriptedEngine()
                .answer("Adding." + CALL, dev.phi4ee.core.api.FinishReason.TOOL_CALLS, List.of(ADD_CALL));
        ToolSpecification add = ToolSpecification.builder()
                .name("add")
                .description("Adds two integers")
                .parameters(JsonObjectSchema.builder()
                        .addIntegerProperty("a")
                        .addIntegerProperty("b")
                        .required("a", "b")
                        .build())
                .build();

        ChatResponse response = Phi4ChatModel.builder()
                .engine(engine)
                .build()
                .chat(ChatRequest.builder()
                        .messages(UserMessage.from("2 + 3?"))
                        .toolSpecifications(add)
                        .toolChoice(ToolChoice.REQUIRED)
                        .build());

        GenerationRequest sent = engine.last();
        assertThat(sent.toolChoice()).isEqualTo(dev.phi4ee.core.api.ToolChoice.required());
        ToolDefinition definition = sent.tools().get(0);
        assertThat(definition.name()).isEqualTo("add");
        assertThat(definition.description()).isEqualTo("Adds two integers");
        assertThat(tree(definition.parametersSchema()))
                .isEqualTo(tree("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},"
                        + "\"b\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"]}"));

        AiMessage message = response.aiMessage();
        assertThat(message.text()).isEqualTo("Adding.");
        assertThat(message.toolExecutionRequests())
                .containsExactly(ToolExecutionRequest.builder()
                        .id("call_0")
                        .name("add")
                        .arguments("{\"a\":2,\"b\":3}")
                        .build());
        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    }

    private static final ToolCall ADD_CALL = new ToolCall("call_0", "add", "{\"a\":2,\"b\":3}");

    private static RecordedStream streamWithTools(ScriptedEngine engine) {
        RecordedStream recorded = new RecordedStream();
        Phi4StreamingChatModel.builder()
                .engine(engine)
                .build()
                .chat(
                        ChatRequest.builder()
                                .messages(UserMessage.from("2 + 3?"))
                                .toolSpecifications(
                                        ToolSpecification.builder().name("add").build())
                                .build(),
                        recorded);
        return recorded;
    }

    /** The scripted engine streams 3-character deltas, so the call's arguments arrive in pieces as written. */
    @Test
    void streamedCallsArriveInPiecesAndTheMarkupStaysOut() throws Exception {
        ScriptedEngine engine = new ScriptedEngine()
                .answer("Adding." + CALL + " ok", dev.phi4ee.core.api.FinishReason.TOOL_CALLS, List.of(ADD_CALL));
        RecordedStream recorded = streamWithTools(engine);
        ChatResponse response = recorded.assertCallsAddUp();
        assertThat(String.join("", recorded.all(String.class))).isEqualTo("Adding. ok");
        assertThat(response.aiMessage().text()).isEqualTo("Adding. ok");
        assertThat(response.aiMessage().toolExecutionRequests())
                .containsExactly(ToolExecutionRequest.builder()
                        .id("call_0")
                        .name("add")
                        .arguments("{\"a\":2,\"b\":3}")
                        .build());
        assertThat(recorded.pieces(0)).hasSizeGreaterThan(1);
        // In order: the text before the block, the call's pieces, its completion, the text after the block (the
        // delta "> o" ends the block and starts that text), the response.
        List<Object> events = recorded.events;
        int firstPiece = events.indexOf(recorded.pieces(0).get(0));
        int completed = events.indexOf(new CompleteToolCall(
                0, response.aiMessage().toolExecutionRequests().get(0)));
        assertThat(String.join("", texts(events.subList(0, firstPiece)))).isEqualTo("Adding.");
        assertThat(texts(events.subList(firstPiece, completed))).isEmpty();
        assertThat(String.join("", texts(events.subList(completed, events.size()))))
                .isEqualTo(" ok");
    }

    private static List<String> texts(List<Object> events) {
        return events.stream()
                .filter(String.class::isInstance)
                .map(String.class::cast)
                .toList();
    }

    @Test
    void aCallTheStreamCouldNotFollowGoesOutWholeAtTheEnd() throws Exception {
        ToolCall now = new ToolCall("call_1", "now", "{}");
        ScriptedEngine engine =
                new ScriptedEngine().answer(CALL, dev.phi4ee.core.api.FinishReason.TOOL_CALLS, List.of(ADD_CALL, now));
        RecordedStream recorded = streamWithTools(engine);
        recorded.assertCallsAddUp();
        assertThat(recorded.pieces(1))
                .containsExactly(PartialToolCall.builder()
                        .index(1)
                        .id("call_1")
                        .name("now")
                        .partialArguments("{}")
                        .build());
    }

    @Test
    void earlierCallsAndTheirResultsBecomeTheirTurns() {
        ScriptedEngine engine = new ScriptedEngine().answer("5");
        Phi4ChatModel.builder()
                .engine(engine)
                .build()
                .chat(ChatRequest.builder()
                        .messages(
                                UserMessage.from("2 + 3?"),
                                AiMessage.from(
                                        "Adding.",
                                        List.of(
                                                ToolExecutionRequest.builder()
                                                        .id("c7")
                                                        .name("add")
                                                        .arguments("{\"a\": 2, \"b\": 3}")
                                                        .build(),
                                                ToolExecutionRequest.builder()
                                                        .name("now")
                                                        .arguments("")
                                                        .build())),
                                ToolExecutionResultMessage.from("c7", "add", "5"),
                                ToolExecutionResultMessage.from(null, "now", "noon"),
                                UserMessage.from("So?"))
                        .build());
        List<ChatMessage> sent = engine.last().messages();
        assertThat(sent.get(1))
                .isEqualTo(ChatMessage.assistant(
                        "Adding.",
                        List.of(
                                new ToolCall("c7", "add", "{\"a\": 2, \"b\": 3}"),
                                new ToolCall("call_1", "now", "{}"))));
        assertThat(sent.get(2)).isEqualTo(ChatMessage.toolResult("c7", "add", "5"));
        assertThat(sent.get(3)).isEqualTo(ChatMessage.toolResult(null, "now", "noon"));
        assertThat(sent.get(4).role()).isEqualTo(ChatMessage.Role.USER);
    }

    @Test
    void historyCallsWhoseArgumentsAreNotAnObjectAreBadInput() {
        ScriptedEngine engine = new ScriptedEngine().answer("5");
        assertThatThrownBy(() -> Phi4ChatModel.builder()
                        .engine(engine)
                        .build()
                        .chat(ChatRequest.builder()
                                .messages(
                                        UserMessage.from("2 + 3?"),
                                        AiMessage.from(ToolExecutionRequest.builder()
                                                .id("c")
                                                .name("add")
                                                .arguments("[2, 3]")
                                                .build()))
                                .build()))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("arguments of tool call 'add'");
    }

    static final class Calculator {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Tool("Adds two integers")
        int add(@P(name = "a", value = "first") int a, @P(name = "b", value = "second") int b) {
            calls.add(a + "+" + b);
            return a + b;
        }
    }

    interface MathAssistant {
        String ask(String question);
    }

    @Test
    void anAiServiceExecutesTheCalledToolAndSendsItsResultBack() {
        ScriptedEngine engine = new ScriptedEngine()
                .answer(CALL, dev.phi4ee.core.api.FinishReason.TOOL_CALLS, List.of(ADD_CALL))
                .answer("It is 5.");
        Calculator calculator = new Calculator();
        MathAssistant assistant = AiServices.builder(MathAssistant.class)
                .chatModel(Phi4ChatModel.builder().engine(engine).build())
                .tools(calculator)
                .build();

        assertThat(assistant.ask("2 + 3?")).isEqualTo("It is 5.");
        assertThat(calculator.calls).containsExactly("2+3");
        assertThat(engine.requests.get(0).tools()).singleElement().satisfies(t -> assertThat(t.name())
                .isEqualTo("add"));
        List<ChatMessage> second = engine.requests.get(1).messages();
        assertThat(second.get(second.size() - 2).toolCalls()).containsExactly(ADD_CALL);
        assertThat(second.getLast()).isEqualTo(ChatMessage.toolResult("call_0", "add", "5"));
    }
}
