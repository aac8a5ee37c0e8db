package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolCallMarkup;
import dev.phi4ee.core.api.ToolChoice;
import dev.phi4ee.core.api.ToolDefinition;
import dev.phi4ee.core.generate.constrain.ToolCallFormat;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A whole tool loop on the kit model (RANDOM weights: the first turn calls only because the choice is required): the
 * call is fed back as the assistant turn the model wrote and its result as a {@code tool} turn, and the second turn
 * answers. With the prefix cache, the second turn reuses the first turn's prompt blocks instead of running them.
 */
class ToolResultTurnTest {
    static final int BLOCK = 16;
    /** Short RoPE factors up to 1024 positions: both turns in the same regime, so blocks may be shared. */
    static final TestModelSpec SPEC =
            KitModels.spec().maxLength(2048).originalMaxPositionEmbeddings(1024).build();

    static final String WEATHER =
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":12}},"
                    + "\"required\":[\"city\"],\"additionalProperties\":false}";
    static final List<ToolDefinition> TOOLS = List.of(ToolDefinition.of("get_weather", "Weather of a city", WEATHER));

    static OnnxPhi4Engine open(long prefixBytes) {
        return (OnnxPhi4Engine) OnnxPhi4Engine.open(
                KitModels.dir(SPEC),
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .maxBatchSize(2)
                        .prefixCacheBytes(prefixBytes)
                        .prefixBlockTokens(BLOCK)
                        .build());
    }

    static GenerationRequest firstTurn() {
        return GenerationRequest.builder()
                .system("Use the tools.")
                .user("What is the weather in Paris?")
                .tools(TOOLS)
                .toolChoice(ToolChoice.required())
                .options(GenerationOptions.builder().maxNewTokens(300).build())
                .build();
    }

    /** The conversation so far, the call's result, and a text answer to come ({@code none}: no further call). */
    static GenerationRequest secondTurn(GenerationResult first) {
        List<ChatMessage> messages = new ArrayList<>(firstTurn().messages());
        messages.add(ChatMessage.assistant(ToolCallMarkup.strip(first.text()), first.toolCalls()));
        for (ToolCall call : first.toolCalls()) {
            messages.add(ChatMessage.toolResult(call.id(), call.name(), "{\"temperature\":21,\"sky\":\"<|end|>\"}"));
        }
        return new GenerationRequest(
                messages, GenerationOptions.builder().maxNewTokens(12).build(), TOOLS, ToolChoice.none());
    }

    @Test
    void aSecondTurnAfterAToolResultAnswersAndReusesTheFirstTurnsBlocks() {
        GenerationResult coldFirst;
        GenerationResult coldSecond;
        long coldPositions;
        try (OnnxPhi4Engine cold = open(0)) {
            coldFirst = cold.generate(firstTurn());
            coldSecond = cold.generate(secondTurn(coldFirst));
            coldPositions = cold.decoderPositions();
        }
        assertThat(coldFirst.finishReason()).as(coldFirst.text()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(coldFirst.toolCalls()).isNotEmpty();
        assertThat(coldSecond.toolCalls()).isEmpty();
        assertThat(coldSecond.tokenIds()).doesNotContain(200_025).isNotEmpty();

        // The second prompt continues the first one with the assistant's own text and the tool turn.
        Phi4TextCodec codec = Phi4TextCodec.load(ModelDirectory.open(KitModels.dir(SPEC)));
        int[] first =
                codec.encodeChat(ToolCallFormat.withToolsInPrompt(firstTurn()).messages());
        int[] second = codec.encodeChat(
                ToolCallFormat.withToolsInPrompt(secondTurn(coldFirst)).messages());
        assertThat(Arrays.copyOf(second, first.length)).containsExactly(first);
        String continuation = codec.tokenizer().decode(Arrays.copyOfRange(second, first.length, second.length), false);
        assertThat(continuation)
                .startsWith(coldFirst.text() + "<|end|><|tool|>{\"temperature\":21,\"sky\":\"<|end|>\"}<|end|>")
                .endsWith("<|end|><|assistant|>");
        assertThat(second).containsOnlyOnce(200_025, 200_026);
        assertThat(count(second, 200_020))
                .as("the <|end|> inside each result is text")
                .isEqualTo(count(first, 200_020) + 1 + coldFirst.toolCalls().size());
        assertThat(coldSecond.usage().promptTokens()).isEqualTo(second.length);

        try (OnnxPhi4Engine engine = open(64L << 20)) {
            GenerationResult warmFirst = engine.generate(firstTurn());
            assertThat(warmFirst.tokenIds()).isEqualTo(coldFirst.tokenIds());
            long before = engine.prefixCache().reusedTokens();
            GenerationResult warmSecond = engine.generate(secondTurn(warmFirst));
            long reused = engine.prefixCache().reusedTokens() - before;
            assertThat(warmSecond.tokenIds()).isEqualTo(coldSecond.tokenIds());
            assertThat(reused)
                    .as("the first prompt's full blocks (%d tokens)", first.length)
                    .isGreaterThanOrEqualTo((long) (first.length / BLOCK - 1) * BLOCK)
                    .isPositive();
            assertThat(engine.decoderPositions())
                    .as("exactly the reused positions were not run")
                    .isEqualTo(coldPositions - engine.prefixCache().reusedTokens());
        }
    }

    static long count(int[] ids, int id) {
        return Arrays.stream(ids).filter(x -> x == id).count();
    }
}
