package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.ResponseFormat;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolChoice;
import dev.phi4ee.core.api.ToolDefinition;
import dev.phi4ee.core.generate.constrain.ConstrainedSchemas;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Constrained decoding through the engine with the kit's RANDOM weights and its real o200k tokenizer: a random model
 * left alone writes garbage, so every output validating (networknt, an independent validator) shows the constraint at
 * work. Greedy and sampled, continuous batching with constrained and free requests mixed, batched == alone.
 */
class ConstrainedGenerationTest {
    private static final TestModelSpec SPEC = KitModels.spec().maxLength(1024).build();
    private static Phi4Engine batched;
    private static Phi4Engine alone;

    @BeforeAll
    static void open() {
        EngineOptions.Builder o = EngineOptions.builder()
                .executionProvider("cpu")
                .intraOpThreads(1)
                .kvCacheMode(KvCacheMode.SHARED_BUFFER);
        // free rows choose on three threads beside the constrained ones, which stay on the engine thread
        batched = OnnxPhi4Engine.open(
                KitModels.dir(SPEC), o.maxBatchSize(8).tokenChoiceThreads(3).build());
        alone = OnnxPhi4Engine.open(
                KitModels.dir(SPEC), o.maxBatchSize(1).tokenChoiceThreads(1).build());
    }

    @AfterAll
    static void close() {
        batched.close();
        alone.close();
    }

    private static final List<String> PROMPTS =
            List.of("Extract the invoice.", "Réponds en JSON: \"quotes\" \\ et ünïcödé 😀");

    /** Three decoding modes: greedy, and two sampled ones. */
    private static GenerationOptions.Builder mode(int m, long seed) {
        GenerationOptions.Builder b = GenerationOptions.builder().maxNewTokens(400);
        return switch (m) {
            case 0 -> b;
            case 1 -> b.doSample(true).temperature(1.0).seed(seed);
            default ->
                b.doSample(true)
                        .temperature(0.7)
                        .topK(50)
                        .topP(0.9)
                        .repetitionPenalty(1.2)
                        .seed(seed);
        };
    }

    @Test
    void everyOutputValidatesAndBatchedEqualsAlone() throws Exception {
        List<Map.Entry<String, String>> schemas =
                new ArrayList<>(ConstrainedSchemas.adversarial().entrySet());
        List<String> random = ConstrainedSchemas.random(11, 5);
        for (int i = 0; i < random.size(); i++) {
            schemas.add(Map.entry("random " + i, random.get(i)));
        }
        List<GenerationRequest> requests = new ArrayList<>();
        List<String> schemaOf = new ArrayList<>();
        long seed = 1;
        for (Map.Entry<String, String> s : schemas) {
            for (String prompt : PROMPTS) {
                for (int m = 0; m < 3; m++) {
                    requests.add(GenerationRequest.builder()
                            .user(prompt)
                            .options(mode(m, seed++)
                                    .responseFormat(ResponseFormat.jsonSchema(s.getValue()))
                                    .build())
                            .build());
                    schemaOf.add(s.getKey() + "|" + s.getValue());
                }
            }
            // a free request between the constrained ones: batched with them
            requests.add(GenerationRequest.builder()
                    .user("free " + seed)
                    .options(mode((int) (seed % 3), seed++).maxNewTokens(20).build())
                    .build());
            schemaOf.add(null);
        }
        List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
        for (GenerationRequest r : requests) {
            futures.add(batched.generateAsync(r));
        }
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            GenerationResult b = futures.get(i).get();
            GenerationResult a = alone.generate(requests.get(i));
            assertThat(b.tokenIds()).as("request %d batched == alone", i).isEqualTo(a.tokenIds());
            if (schemaOf.get(i) == null) {
                continue;
            }
            String schema = schemaOf.get(i).substring(schemaOf.get(i).indexOf('|') + 1);
            if (b.finishReason() != FinishReason.STOP) {
                failures.add(schemaOf.get(i) + ": finished " + b.finishReason() + " after "
                        + b.tokenIds().size());
                continue;
            }
            List<String> errors = ConstrainedSchemas.errors(schema, b.text());
            if (!errors.isEmpty()) {
                failures.add(schemaOf.get(i) + ": " + b.text() + " -> " + errors);
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void aRequiredToolChoiceGivesParsedCallsWithValidArguments() throws Exception {
        String weather = """
                {"type":"object","properties":{"city":{"type":"string","minLength":1,"maxLength":12},
                 "unit":{"enum":["celsius","fahrenheit"]}},"required":["city","unit"],"additionalProperties":false}""";
        String time = """
                {"type":"object","properties":{"zone":{"type":"string","maxLength":8}},"required":["zone"]}""";
        List<ToolDefinition> tools = List.of(
                ToolDefinition.of("get_weather", "Current weather of a city", weather),
                ToolDefinition.of("get_time", "Current time in a zone", time));
        for (ToolChoice choice : List.of(ToolChoice.required(), ToolChoice.named("get_time"))) {
            for (int m = 0; m < 3; m++) {
                GenerationResult r = batched.generate(GenerationRequest.builder()
                        .user("What is the weather in Paris?")
                        .tools(tools)
                        .toolChoice(choice)
                        .options(mode(m, 40 + m).build())
                        .build());
                assertThat(r.finishReason()).as(r.text()).isEqualTo(FinishReason.TOOL_CALLS);
                assertThat(r.text()).startsWith("<|tool_call|>[").endsWith("]<|/tool_call|>");
                assertThat(r.toolCalls()).isNotEmpty();
                for (int k = 0; k < r.toolCalls().size(); k++) {
                    ToolCall call = r.toolCalls().get(k);
                    assertThat(call.id()).isEqualTo("call_" + k);
                    if (choice.mode() == ToolChoice.Mode.NAMED) {
                        assertThat(call.name()).isEqualTo("get_time");
                    }
                    String schema = call.name().equals("get_weather") ? weather : time;
                    assertThat(ConstrainedSchemas.errors(schema, call.arguments()))
                            .as(call.arguments())
                            .isEmpty();
                }
            }
        }
    }

    @Test
    void jsonModeGivesAnObjectPrefixAndToolChoiceNoneNeverCalls() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (int m = 0; m < 3; m++) {
            GenerationResult r = batched.generate(GenerationRequest.builder()
                    .user("JSON please")
                    .options(mode(m, 70 + m)
                            .maxNewTokens(60)
                            .responseFormat(ResponseFormat.json())
                            .build())
                    .build());
            assertThat(r.text()).startsWith("{");
            if (r.finishReason() == FinishReason.STOP) {
                assertThat(json.readTree(r.text()).isObject()).isTrue();
            }
            GenerationResult none = batched.generate(GenerationRequest.builder()
                    .user("no tools")
                    .tools(List.of(ToolDefinition.of("f", "", null)))
                    .toolChoice(ToolChoice.none())
                    .options(mode(m, 80 + m).maxNewTokens(30).build())
                    .build());
            assertThat(none.tokenIds()).doesNotContain(200_025);
            assertThat(none.toolCalls()).isEmpty();
        }
    }
}
