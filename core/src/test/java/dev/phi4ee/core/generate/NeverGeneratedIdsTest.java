package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.OrtFailure;
import dev.phi4ee.core.testkit.PromptSearch;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ids the model cannot take back as input are never generated (issue 15): the kit model's raw argmax does land on
 * them, a raw loop that feeds a placeholder back fails, and the engine picks the best other id instead and goes on.
 */
class NeverGeneratedIdsTest {
    private static final TestModelSpec SPEC = KitModels.spec().build();
    /** Reference §6.1–6.2: the release's unused ids plus the two media placeholders (200010 image, 200011 audio). */
    private static final int[] RELEASE_NEVER_GENERATED = IntStream.concat(
                    IntStream.of(199_998),
                    IntStream.concat(IntStream.rangeClosed(200_000, 200_017), IntStream.rangeClosed(200_029, 200_063)))
            .toArray();

    private static ModelDirectory dir;
    private static Phi4TextCodec codec;
    private static GenerationIds ids;
    /** A prompt after which the kit model's raw argmax is an id never generated, and that id. */
    private static long[] prompt;

    private static int rawWinner;

    @BeforeAll
    static void findAPromptWhoseRawArgmaxIsExcluded() {
        dir = ModelDirectory.open(KitModels.dir(SPEC));
        codec = Phi4TextCodec.load(dir);
        ids = GenerationIds.of(dir.config().eosTokenIds(), dir.config().vocabSize(), codec);
        // About 1 position in 2,000 of the seed-42 kit model has its raw argmax on one of the 64 excluded ids. The
        // search scores 64-id random prompts (within the kit's LongRoPE threshold of 64), then checks the prefix with
        // the engine's own prefill, whose float rounding may break a near tie the other way.
        try (Phi4Graphs graphs = KitModels.open(SPEC);
                DecodingSession s = new DecodingSession(graphs, true, SPEC.maxLength(), Integer.MAX_VALUE)) {
            for (long seed = 0; seed < 20 && prompt == null; seed++) {
                long[] candidate = PromptSearch.find(
                                KitModels.dir(SPEC), SPEC, 64, 199_000, seed, 16, NeverGeneratedIdsTest::excluded)
                        .orElse(null);
                if (candidate != null) {
                    s.reset();
                    int raw = s.prefill(candidate, null, null).argmax();
                    if (excluded(raw)) {
                        prompt = candidate;
                        rawWinner = raw;
                    }
                }
            }
        }
        assertThat(prompt)
                .as("no prompt of 20,480 random positions makes the kit model's raw argmax an excluded id")
                .isNotNull();
    }

    private static boolean excluded(int id) {
        return Arrays.binarySearch(ids.neverGenerated(), id) >= 0;
    }

    @Test
    void theExcludedIdsAreTheUnusedIdsOfTheTokenizerAndThePlaceholders() {
        // The kit tokenizer has exactly the release's tokens (o200k_base + Phi-4's added tokens at their ids).
        assertThat(ids.neverGenerated()).containsExactly(RELEASE_NEVER_GENERATED);
        assertThat(ids.eos()).containsExactlyInAnyOrder(200_020, 199_999);
        // A codec that knows no vocabulary still excludes the placeholders: the embedding graph needs them.
        assertThat(GenerationIds.of(List.of(200_020), 200_064, new FakeTextCodec())
                        .neverGenerated())
                .containsExactly(200_010, 200_011);
    }

    @Test
    void aRawLoopThatFeedsThePlaceholderBackFails() {
        // What the issue saw: a decode step's embedding run binds no image features, so 200010 has no row to take.
        try (Phi4Graphs graphs = KitModels.open(SPEC);
                DecodingSession s = new DecodingSession(graphs, true, SPEC.maxLength(), Integer.MAX_VALUE)) {
            s.prefill(prompt, null, null);
            assertThatThrownBy(() -> s.next(Phi4TextCodec.IMAGE_PLACEHOLDER_ID)).isInstanceOf(OrtFailure.class);
        }
        // The unused id the raw argmax picked is accepted by the graph, but it is a padding row: it decodes to nothing.
        assertThat(codec.hasToken(rawWinner)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(
            value = KvCacheMode.class,
            names = {"SHARED_BUFFER", "GROWING"})
    void theEngineTakesTheBestAllowedIdAndGoesOn(KvCacheMode mode) {
        GenerationResult r =
                generate(mode, GenerationOptions.builder().maxNewTokens(6).minNewTokens(6));
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(r.tokenIds()).hasSize(6);
        assertThat(r.tokenIds().get(0)).isNotEqualTo(rawWinner).isEqualTo(secondBest());
        assertNoneExcluded(r);
    }

    @Test
    void samplingAndPenaltiesNeverPickThemEither() {
        for (long seed = 0; seed < 4; seed++) {
            assertNoneExcluded(generate(
                    KvCacheMode.SHARED_BUFFER,
                    GenerationOptions.builder()
                            .maxNewTokens(4)
                            .doSample(true)
                            .temperature(0.05) // nearly greedy: the raw winner would carry most of the mass
                            .seed(seed)));
            assertNoneExcluded(generate(
                    KvCacheMode.SHARED_BUFFER,
                    GenerationOptions.builder()
                            .maxNewTokens(4)
                            .doSample(true)
                            .topK(3)
                            .topP(0.9)
                            .seed(seed)));
        }
        assertNoneExcluded(generate(
                KvCacheMode.SHARED_BUFFER,
                GenerationOptions.builder().maxNewTokens(4).repetitionPenalty(0.5)));
    }

    private static GenerationResult generate(KvCacheMode mode, GenerationOptions.Builder options) {
        EngineOptions engineOptions = EngineOptions.builder()
                .executionProvider("cpu")
                .intraOpThreads(1)
                .kvCacheMode(mode)
                .build();
        try (OnnxPhi4Engine engine =
                OnnxPhi4Engine.open(dir, engineOptions, new FixedPrompt(prompt, codec), request -> null)) {
            return engine.stream(
                            GenerationRequest.builder()
                                    .user("ignored: the codec returns the prompt found")
                                    .options(options.build())
                                    .build(),
                            delta -> {})
                    .result()
                    .join();
        }
    }

    /** The best id of the prompt's last logits once the excluded ids are left out, by a plain loop. */
    private static int secondBest() {
        try (Phi4Graphs graphs = KitModels.open(SPEC);
                DecodingSession s = new DecodingSession(graphs, true, SPEC.maxLength(), Integer.MAX_VALUE)) {
            float[] row = s.prefill(prompt, null, null).toFloats();
            assertThat(TokenChooser.argmax(row)).as("precondition: raw winner").isEqualTo(rawWinner);
            for (int id : ids.neverGenerated()) {
                row[id] = Float.NEGATIVE_INFINITY;
            }
            return TokenChooser.argmax(row);
        }
    }

    private static void assertNoneExcluded(GenerationResult r) {
        assertThat(r.tokenIds()).isNotEmpty().allSatisfy(id -> assertThat(Arrays.binarySearch(ids.neverGenerated(), id))
                .as("generated id %d", id)
                .isNegative());
    }

    /** The prompt found, whatever the messages; text and vocabulary from the kit tokenizer. */
    private record FixedPrompt(long[] ids, Phi4TextCodec vocabulary) implements TextCodec {
        @Override
        public int[] encodeChat(List<ChatMessage> messages) {
            return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
        }

        @Override
        public boolean hasToken(int id) {
            return vocabulary.hasToken(id);
        }

        @Override
        public TextStream newStream() {
            return vocabulary.newStream();
        }
    }
}
