package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Phi4Engine;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Phi4Engine#open} on the kit model with its real tokenizer, sampler and stop strings. */
class Phi4EngineEndToEndTest {
    static Phi4Engine engine;

    @BeforeAll
    static void open() {
        engine = Phi4Engine.open(
                KitModels.dir(KitModels.spec().build()),
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .build());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static GenerationRequest request(GenerationOptions options) {
        return GenerationRequest.builder()
                .system("You are terse.")
                .user("Describe the sea in one line.")
                .options(options)
                .build();
    }

    @Test
    void greedyTextIsStreamedAndCountsAreConsistent() {
        List<String> deltas = new CopyOnWriteArrayList<>();
        GenerationResult r = engine.stream(
                        request(GenerationOptions.builder().maxNewTokens(10).build()), deltas::add)
                .result()
                .join();
        assertThat(r.tokenIds()).isNotEmpty();
        assertThat(String.join("", deltas)).isEqualTo(r.text());
        assertThat(r.usage().generatedTokens()).isEqualTo(r.tokenIds().size());
        assertThat(engine.info().modelType()).isEqualTo("phi4mm");
        assertThat(engine.info().vocabSize()).isEqualTo(200064);
        // greedy is deterministic
        assertThat(engine.generate(request(
                                GenerationOptions.builder().maxNewTokens(10).build()))
                        .tokenIds())
                .isEqualTo(r.tokenIds());
    }

    @Test
    void seededSamplingIsReproducible() {
        GenerationOptions sampled = GenerationOptions.builder()
                .maxNewTokens(12)
                .doSample(true)
                .temperature(1.5)
                .topP(0.95)
                .seed(7L)
                .build();
        List<Integer> a = engine.generate(request(sampled)).tokenIds();
        List<Integer> b = engine.generate(request(sampled)).tokenIds();
        List<Integer> c =
                engine.generate(request(sampled.toBuilder().seed(8L).build())).tokenIds();
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void stopStringEndsGenerationAndIsExcluded() {
        GenerationResult full = engine.generate(
                request(GenerationOptions.builder().maxNewTokens(16).build()));
        String t = full.text();
        assertThat(t.length()).isGreaterThanOrEqualTo(6);
        String stop = t.substring(t.length() / 2, t.length() / 2 + 2);
        GenerationResult stopped = engine.generate(request(GenerationOptions.builder()
                .maxNewTokens(16)
                .stopSequences(List.of(stop))
                .build()));
        assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(stopped.text()).isEqualTo(t.substring(0, t.indexOf(stop)));
    }
}
