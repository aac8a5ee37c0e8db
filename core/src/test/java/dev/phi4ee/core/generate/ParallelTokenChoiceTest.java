package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCacheMode;
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
import org.junit.jupiter.api.Test;

/**
 * {@code tokenChoiceThreads}: a batch of rows with every kind of sampler, submitted together so they decode in the
 * same steps, gets the same tokens on one thread and on three (each row keeps its own sampler and seed; the rows'
 * effects are applied in row order on the engine thread), and with three threads the rows really chose in parallel.
 */
class ParallelTokenChoiceTest {

    private static List<GenerationRequest> workload() {
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            GenerationOptions.Builder o = GenerationOptions.builder().maxNewTokens(12 + i);
            switch (i % 5) {
                case 0 -> o.doSample(true).topP(0.9).seed(100L + i);
                case 1 -> o.doSample(true).temperature(1.3).seed(200L + i);
                case 2 -> o.doSample(true).topK(20).topP(0.8).minP(0.02).seed(300L + i);
                case 3 -> o.repetitionPenalty(1.3).minNewTokens(8);
                default -> {} // greedy
            }
            requests.add(GenerationRequest.builder()
                    .user(ChunkedPrefillTest.text(10 + 3 * i, i + 1))
                    .options(o.build())
                    .build());
        }
        return requests;
    }

    /** Tokens of the workload submitted at the first token of a running request, in request order. */
    private static List<List<Integer>> run(int threads, List<Long> chosenAhead) throws Exception {
        TestModelSpec spec = KitModels.spec().build();
        EngineOptions options = EngineOptions.builder()
                .executionProvider("cpu")
                .intraOpThreads(1)
                .kvCacheMode(KvCacheMode.SHARED_BUFFER)
                .maxBatchSize(12)
                .tokenChoiceThreads(threads)
                .build();
        try (OnnxPhi4Engine engine = OnnxPhi4Engine.open(
                ModelDirectory.open(KitModels.dir(spec)),
                options,
                new FakeTextCodec(),
                r -> null, // the engine's own samplers
                Placement.Kind.HOST,
                MemoryProbe.system())) {
            List<GenerationRequest> requests = workload();
            List<CompletableFuture<GenerationResult>> results = new CopyOnWriteArrayList<>();
            AtomicInteger tokens = new AtomicInteger();
            GenerationRequest runner = GenerationRequest.builder()
                    .user(ChunkedPrefillTest.text(20, 3))
                    .options(GenerationOptions.builder().maxNewTokens(30).build())
                    .build();
            GenerationHandle first = engine.stream(runner, d -> {
                if (tokens.incrementAndGet() == 1) { // on the engine thread: all are waiting at the next step
                    for (GenerationRequest r : requests) {
                        results.add(engine.stream(r, t -> {}).result());
                    }
                }
            });
            List<List<Integer>> out = new ArrayList<>();
            out.add(first.result().get(60, TimeUnit.SECONDS).tokenIds());
            for (CompletableFuture<GenerationResult> r : results) {
                out.add(r.get(60, TimeUnit.SECONDS).tokenIds());
            }
            chosenAhead.add(engine.batcher().rowsChosenAhead());
            return out;
        }
    }

    @Test
    void threeThreadsChooseTheTokensOneThreadChooses() throws Exception {
        List<Long> chosenAhead = new ArrayList<>();
        List<List<Integer>> one = run(1, chosenAhead);
        List<List<Integer>> three = run(3, chosenAhead);
        assertThat(three).isEqualTo(one);
        assertThat(one).allSatisfy(tokens -> assertThat(tokens).isNotEmpty());
        assertThat(chosenAhead.get(0))
                .as("one thread: every row on the engine thread")
                .isZero();
        assertThat(chosenAhead.get(1))
                .as("three threads: rows chose in parallel for many steps")
                .isGreaterThan(50);
    }

    @Test
    void aThreadCountOutsideOneTo256IsRefusedByName() {
        for (int threads : new int[] {0, -1, EngineOptions.MAX_TOKEN_CHOICE_THREADS + 1}) {
            assertThatThrownBy(() ->
                            EngineOptions.builder().tokenChoiceThreads(threads).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("tokenChoiceThreads must be in [1, 256], was " + threads);
        }
        assertThat(EngineOptions.builder().tokenChoiceThreads(256).build().toBuilder()
                        .build()
                        .tokenChoiceThreads())
                .isEqualTo(256);
    }
}
