package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.generate.kv.MemoryProbe;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Several waiting prompts of one length prefilled in one decoder call ({@code DecodeBatch.promptBatch}) on the kit
 * model (window 256, LongRoPE switch at 64; {@link FakeTextCodec}: one id per character + 3): every request's greedy
 * tokens are those it gets alone. The requests are submitted from the engine thread (a running request's listener at
 * its first token), so they are all waiting at the next step.
 */
class BatchedPrefillTest {
    static OnnxPhi4Engine open(TestModelSpec spec, EngineOptions options, Placement.Kind placement) {
        return OnnxPhi4Engine.open(
                ModelDirectory.open(KitModels.dir(spec)),
                options,
                new FakeTextCodec(),
                r -> OnnxPhi4Engine.greedy(),
                placement,
                MemoryProbe.system());
    }

    static EngineOptions.Builder options(int maxBatch, int chunkTokens, long prefixBytes) {
        return EngineOptions.builder()
                .executionProvider("cpu")
                .intraOpThreads(1)
                .maxBatchSize(maxBatch)
                .prefixCacheBytes(prefixBytes)
                .prefixBlockTokens(16)
                .prefillChunkTokens(chunkTokens);
    }

    static GenerationRequest request(String text, int maxNew) {
        return GenerationRequest.builder()
                .user(text)
                .options(GenerationOptions.builder().maxNewTokens(maxNew).build())
                .build();
    }

    /** {@code same} prompts of {@code chars} characters, then prompts of other lengths (one past the switch). */
    static List<GenerationRequest> workload(int same, int chars) {
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < same; i++) {
            requests.add(request(ChunkedPrefillTest.text(chars, i + 1) + (char) ('A' + i), 3 + i % 5));
        }
        requests.add(request(ChunkedPrefillTest.text(chars + 4, 9), 6));
        requests.add(request(ChunkedPrefillTest.text(70, 8), 5)); // long factors: another group
        requests.add(request(ChunkedPrefillTest.text(chars - 3, 7), 4));
        return requests;
    }

    @ParameterizedTest
    @CsvSource({
        "FP32, 0, 20, 512, HOST", // prompt runs of 512: 24-id prompts are one run
        "FP16, 0, 20, 512, HOST",
        "FP32, 0, 20, 512, DEVICE", // embeddings and prompt logits in ORT memory (the GPU code path)
        "FP32, 1048576, 12, 512, HOST", // prefix cache on, blocks of 16: 16-id prompts are one run
        "FP32, 0, 20, 100, HOST" // the budget takes four prompts of 24 ids per call: two calls
    })
    void waitingPromptsOfOneLengthShareADecoderCallAndKeepTheirAloneTokens(
            TestModelSpec.FloatType type, long prefixBytes, int chars, int budget, Placement.Kind placement)
            throws Exception {
        TestModelSpec spec = KitModels.spec().floatType(type).build();
        List<GenerationRequest> requests = workload(8, chars);
        GenerationRequest runner = request(ChunkedPrefillTest.text(30, 5), 12);
        List<List<Integer>> alone = new ArrayList<>();
        List<Integer> runnerAlone;
        try (OnnxPhi4Engine engine = open(spec, options(1, 0, 0).build(), Placement.Kind.HOST)) {
            runnerAlone = engine.generate(runner).tokenIds();
            for (GenerationRequest r : requests) {
                alone.add(engine.generate(r).tokenIds());
            }
        }
        try (OnnxPhi4Engine engine = open(spec, options(12, budget, prefixBytes).build(), placement)) {
            List<CompletableFuture<GenerationResult>> results = new CopyOnWriteArrayList<>();
            AtomicInteger tokens = new AtomicInteger();
            GenerationHandle first = engine.stream(runner, d -> {
                if (tokens.incrementAndGet() == 1) {
                    for (GenerationRequest r : requests) {
                        results.add(engine.stream(r, t -> {}).result());
                    }
                }
            });
            assertThat(first.result().get(60, TimeUnit.SECONDS).tokenIds()).isEqualTo(runnerAlone);
            for (int i = 0; i < requests.size(); i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS).tokenIds())
                        .as("request %d", i)
                        .isEqualTo(alone.get(i));
            }
            assertThat(engine.batcher().batchedPrompts())
                    .as("the prompts of one length ran as rows of shared calls")
                    .isEqualTo(8);
        }
    }
}
