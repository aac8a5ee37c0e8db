package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Mixed modalities in one batch: text, image (vision LoRA adapter active: its own decoder call), audio and image +
 * audio requests submitted together give every request its alone tokens. The kit's image prompts are longer than
 * {@code original_max_position_embeddings} (64), so they also run in the long-factor group.
 */
class MultimodalBatchingTest {
    static final TestModelSpec SPEC = KitModels.spec()
            .maxLength(1024)
            .includeVision(true)
            .includeSpeech(true)
            .build();

    static Phi4Engine open(int maxBatch) {
        return open(maxBatch, Placement.Kind.AUTO);
    }

    static Phi4Engine open(int maxBatch, Placement.Kind placement) {
        ModelDirectory dir = ModelDirectory.open(KitModels.dir(SPEC));
        return OnnxPhi4Engine.open(
                dir,
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .maxBatchSize(maxBatch)
                        .build(),
                Phi4TextCodec.load(dir),
                r -> null,
                placement);
    }

    static List<GenerationRequest> workload(int n) {
        SplittableRandom r = new SplittableRandom(5);
        Color[] colors = {Color.RED, Color.BLUE, Color.GREEN};
        List<GenerationRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            GenerationRequest.Builder b = GenerationRequest.builder()
                    .options(GenerationOptions.builder()
                            .maxNewTokens(2 + r.nextInt(6))
                            .build());
            int kind = i % 4;
            if (kind == 1 || kind == 3) {
                Media png = MultimodalPipelineTest.png(100 + 40 * r.nextInt(4), 80 + 30 * r.nextInt(3), colors[i % 3]);
                b.image(png);
            }
            if (kind == 2 || kind == 3) {
                b.audio(MultimodalPipelineTest.wav(0.25 + 0.25 * r.nextInt(3), 200 + 100 * r.nextInt(5)));
            }
            out.add(b.user("Describe item " + i + (kind == 0 ? " in a few words, please." : ""))
                    .build());
        }
        return out;
    }

    /**
     * DEVICE: feature tensors, embeddings, KV pool and LoRA weights in ONNX Runtime-allocated memory, moved by graph
     * runs (the CUDA code path, here on the CPU); the alone run stays on the host path.
     */
    @ParameterizedTest
    @EnumSource(
            value = Placement.Kind.class,
            names = {"HOST", "DEVICE"})
    void mixedModalitiesBatchedGiveTheAloneTokens(Placement.Kind placement) throws Exception {
        List<GenerationRequest> requests = workload(16);
        List<List<Integer>> alone = new ArrayList<>();
        try (Phi4Engine engine = open(1)) {
            for (GenerationRequest r : requests) {
                alone.add(engine.generate(r).tokenIds());
            }
        }
        try (Phi4Engine engine = open(8, placement)) {
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            for (GenerationRequest r : requests) {
                results.add(engine.stream(r, d -> {}).result());
            }
            for (int i = 0; i < requests.size(); i++) {
                GenerationResult g = results.get(i).get(60, TimeUnit.SECONDS);
                assertThat(g.tokenIds()).as("request %d", i).isEqualTo(alone.get(i));
                if (i % 4 == 1 || i % 4 == 3) {
                    assertThat(g.usage().imageTokens()).isPositive();
                }
                if (i % 4 >= 2) {
                    assertThat(g.usage().audioTokens()).isPositive();
                }
            }
            assertThat(((OnnxPhi4Engine) engine).batcher().peakActive()).isGreaterThan(1);
        }
    }
}
