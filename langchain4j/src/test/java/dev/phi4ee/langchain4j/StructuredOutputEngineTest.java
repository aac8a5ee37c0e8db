package dev.phi4ee.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * AI services on the real engine with the test kit's RANDOM weights: a POJO return type parses and a required tool
 * call has arguments for its parameters only because decoding is constrained.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StructuredOutputEngineTest {
    static RecordingEngine engine;
    static ChatModel model;

    @BeforeAll
    static void open() {
        engine = new RecordingEngine(Phi4Engine.open(
                Phi4TestModels.shared(TestModelSpec.defaults()),
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .maxBatchSize(4)
                        .build()));
        model = Phi4ChatModel.builder().engine(engine).maxOutputTokens(300).build();
    }

    @AfterAll
    static void close() {
        if (engine != null) {
            engine.close();
        }
    }

    enum Currency {
        EUR,
        USD
    }

    record Line(String item, int quantity) {}

    record Invoice(String number, double total, Currency currency, List<Line> lines, boolean paid) {}

    interface Extractor {
        Invoice extract(String text);
    }

    @Test
    void anAiServiceReturnsAPojoParsedFromConstrainedJson() {
        Extractor extractor = AiServices.create(Extractor.class, model);
        for (String text : List.of("Invoice A-7: two pens, 12.50 EUR, paid", "Nothing here.", "{\"oops\":")) {
            Invoice invoice = extractor.extract(text);
            // LangChain4j's schema makes no property required, so any may be missing; those present parsed.
            assertThat(invoice).as(text).isNotNull();
            RecordingEngine.Submitted last = engine.last();
            assertThat(last.request().options().responseFormat().schema()).contains("\"currency\"");
            assertThat(last.handle().result().join().finishReason()).isEqualTo(dev.phi4ee.core.api.FinishReason.STOP);
        }
    }

    @Test
    void aRequiredToolCallHasArgumentsForTheTool() {
        ToolSpecification add = ToolSpecification.builder()
                .name("add")
                .description("Adds two integers")
                .parameters(JsonObjectSchema.builder()
                        .addIntegerProperty("a")
                        .addIntegerProperty("b")
                        .required("a", "b")
                        .additionalProperties(false)
                        .build())
                .build();
        ChatResponse response = model.chat(ChatRequest.builder()
                .messages(UserMessage.from("What is 2 + 3?"))
                .toolSpecifications(add)
                .toolChoice(ToolChoice.REQUIRED)
                .build());
        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        List<ToolExecutionRequest> calls = response.aiMessage().toolExecutionRequests();
        assertThat(calls).isNotEmpty().allSatisfy(call -> {
            assertThat(call.name()).isEqualTo("add");
            assertThat(call.arguments()).matches("\\{\"a\":-?\\d+,\"b\":-?\\d+\\}");
        });
    }

    /**
     * Streamed calls on the kit model, greedy and sampled: each call's partial pieces add up to its complete call, the
     * complete calls are the final message's requests, and the streamed answer is the non-streamed one.
     */
    @Test
    void streamedToolCallsAddUpToTheNonStreamedAnswer() throws Exception {
        ToolSpecification add = ToolSpecification.builder()
                .name("add")
                .parameters(JsonObjectSchema.builder()
                        .addIntegerProperty("a")
                        .addIntegerProperty("b")
                        .required("a", "b")
                        .additionalProperties(false)
                        .build())
                .build();
        ToolSpecification note = ToolSpecification.builder()
                .name("note")
                .parameters(JsonObjectSchema.builder()
                        // Bounded, so random weights finish the call; any characters, so escapes stream too.
                        .addProperty("text", JsonRawSchema.from("{\"type\":\"string\",\"maxLength\":12}"))
                        .required("text")
                        .additionalProperties(false)
                        .build())
                .build();
        ChatRequest request = ChatRequest.builder()
                .messages(UserMessage.from("Add 2 and 3, and note the result."))
                .toolSpecifications(add, note)
                .toolChoice(ToolChoice.REQUIRED)
                .build();
        int calls = 0;
        int pieces = 0;
        for (Double temperature : new Double[] {null, 1.0, 1.0}) {
            long seed = 11L + calls;
            ChatResponse whole = Phi4ChatModel.builder()
                    .engine(engine)
                    .maxOutputTokens(400)
                    .temperature(temperature)
                    .seed(seed)
                    .build()
                    .chat(request);
            RecordedStream recorded = new RecordedStream();
            Phi4StreamingChatModel.builder()
                    .engine(engine)
                    .maxOutputTokens(400)
                    .temperature(temperature)
                    .seed(seed)
                    .build()
                    .chat(request, recorded);
            ChatResponse streamed = recorded.assertCallsAddUp();
            String run = "temperature " + temperature + ", seed " + seed;
            assertThat(streamed.aiMessage()).as(run).isEqualTo(whole.aiMessage());
            assertThat(streamed.finishReason()).as(run).isEqualTo(whole.finishReason());
            assertThat(streamed.tokenUsage()).as(run).isEqualTo(whole.tokenUsage());
            if (streamed.finishReason() == FinishReason.TOOL_EXECUTION) {
                assertThat(streamed.aiMessage().toolExecutionRequests()).as(run).isNotEmpty();
            }
            calls += streamed.aiMessage().toolExecutionRequests().size();
            pieces += recorded.all(PartialToolCall.class).size();
        }
        assertThat(calls).isPositive();
        // Token by token: the calls' arguments came in more pieces than there are calls.
        assertThat(pieces).isGreaterThan(calls);
    }

    enum City {
        OSLO,
        ROME
    }

    static final class Weather {
        final List<City> asked = new CopyOnWriteArrayList<>();

        @Tool("Current weather of a city")
        String weather(@P("the city") City city) {
            asked.add(city);
            return "21 C and clear in " + city;
        }
    }

    interface WeatherAssistant {
        String ask(String question);
    }

    /**
     * A whole AI-service tool loop: the first turn must call (random weights call only when required), the @Tool method
     * runs, its results go back as tool turns, and the second turn ({@code none}) answers in text.
     */
    @Test
    void anAiServiceRunsAWholeToolLoop() {
        ChatModel requiredThenAnswer = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                boolean results = request.messages().getLast() instanceof ToolExecutionResultMessage;
                ChatRequestParameters choice = ChatRequestParameters.builder()
                        .toolChoice(results ? ToolChoice.NONE : ToolChoice.REQUIRED)
                        .build();
                return model.chat(request.toBuilder()
                        .parameters(request.parameters().overrideWith(choice))
                        .build());
            }
        };
        Weather weather = new Weather();
        WeatherAssistant assistant = AiServices.builder(WeatherAssistant.class)
                .chatModel(requiredThenAnswer)
                .tools(weather)
                .build();
        int before = engine.submitted.size();

        String answer = assistant.ask("What is the weather in Oslo?");

        List<RecordingEngine.Submitted> turns = engine.submitted.subList(before, engine.submitted.size());
        assertThat(turns).hasSize(2);
        GenerationResult first = turns.get(0).handle().result().join();
        assertThat(first.finishReason()).isEqualTo(dev.phi4ee.core.api.FinishReason.TOOL_CALLS);
        assertThat(weather.asked).hasSize(first.toolCalls().size());
        GenerationRequest second = turns.get(1).request();
        assertThat(second.toolChoice()).isEqualTo(dev.phi4ee.core.api.ToolChoice.none());
        List<ChatMessage> messages = second.messages();
        int results = first.toolCalls().size();
        assertThat(messages.get(messages.size() - results - 1).toolCalls()).isEqualTo(first.toolCalls());
        for (int i = 0; i < results; i++) {
            ToolCall call = first.toolCalls().get(i);
            assertThat(messages.get(messages.size() - results + i))
                    .isEqualTo(
                            ChatMessage.toolResult(call.id(), "weather", "21 C and clear in " + weather.asked.get(i)));
        }
        GenerationResult last = turns.get(1).handle().result().join();
        assertThat(last.toolCalls()).isEmpty();
        assertThat(answer).isEqualTo(last.text()).isNotEmpty();
    }
}
