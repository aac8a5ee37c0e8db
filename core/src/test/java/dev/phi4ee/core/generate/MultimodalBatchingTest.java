package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.awt.Color;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Continuous batching under a randomized concurrent workload of mixed modalities through the real tokenizer and the
 * whole prompt stage: text (no adapter), one or two images (vision LoRA adapter: its own decoder call), audio (speech
 * adapter), image + audio (vision adapter); random prompt lengths, maxNewTokens, arrival times, cancellations and
 * deadlines. Every request that finishes gives the tokens it gets alone (greedy); an aborted one gives a prefix of
 * them with the right finish reason. The DEVICE row runs the batched engine on the device code path (features,
 * embeddings, KV pool and LoRA weights in ONNX Runtime memory, moved by graph runs), the alone engine on the host path.
 */
class MultimodalBatchingTest {
    static final TestModelSpec SPEC = KitModels.spec()
            .maxLength(4096)
            .includeVision(true)
            .includeSpeech(true)
            .build();

    /** One request, as run alone (no deadline) and batched (with its deadline), and how it is aborted. */
    record Job(int kind, GenerationRequest alone, GenerationRequest batched, int cancelAfterMs, boolean deadline) {}

    static Phi4Engine open(int maxBatch, Placement.Kind placement) {
        ModelDirectory dir = ModelDirectory.open(KitModels.dir(SPEC));
        return OnnxPhi4Engine.open(
                dir,
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .maxBatchSize(maxBatch)
                        .maxQueuedRequests(512)
                        .build(),
                Phi4TextCodec.load(dir),
                r -> null,
                placement);
    }

    /** Kinds: 0 text, 1 image, 2 audio, 3 image + audio, 4 two images; ~1/10 cancelled, ~1/10 with a deadline. */
    static List<Job> workload(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Color[] colors = {Color.RED, Color.BLUE, Color.GREEN, Color.ORANGE};
        String[] words = {"describe", "the", "item", "please", "summarise", "call", "scan", "invoice", "übersicht", "电话"
        };
        List<Job> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(5);
            List<Media> images = new ArrayList<>();
            Media audio = null;
            if (kind == 1 || kind == 3 || kind == 4) {
                for (int k = 0; k < (kind == 4 ? 2 : 1); k++) {
                    images.add(MultimodalPipelineTest.png(
                            60 + 40 * r.nextInt(5), 50 + 30 * r.nextInt(4), colors[r.nextInt(colors.length)]));
                }
            }
            if (kind == 2 || kind == 3) {
                audio = MultimodalPipelineTest.wav(0.2 + 0.2 * r.nextInt(4), 150 + 100 * r.nextInt(6));
            }
            StringBuilder text = new StringBuilder("Request " + i + ":");
            int wordCount = r.nextInt(4) == 0 ? 30 + r.nextInt(40) : 1 + r.nextInt(12); // some cross 64 decoding
            for (int w = 0; w < wordCount; w++) {
                text.append(' ').append(words[r.nextInt(words.length)]);
            }
            int maxNew = 1 + r.nextInt(12);
            int abort = r.nextInt(10);
            int cancelAfterMs = abort == 0 ? r.nextInt(40) : -1;
            Duration timeout = abort == 1 ? Duration.ofMillis(1 + r.nextInt(60)) : null;
            out.add(new Job(
                    kind,
                    request(images, audio, text.toString(), maxNew, null),
                    request(images, audio, text.toString(), maxNew, timeout),
                    cancelAfterMs,
                    timeout != null));
        }
        return out;
    }

    private static GenerationRequest request(
            List<Media> images, Media audio, String text, int maxNew, Duration timeout) {
        GenerationRequest.Builder b = GenerationRequest.builder()
                .options(GenerationOptions.builder()
                        .maxNewTokens(maxNew)
                        .timeout(timeout)
                        .build());
        images.forEach(b::image);
        if (audio != null) {
            b.audio(audio);
        }
        return b.user(text).build();
    }

    @ParameterizedTest
    @CsvSource({"HOST, 200, 8", "DEVICE, 40, 8"})
    void everyRequestGetsItsAloneTokensUnderAMixedModalityWorkload(Placement.Kind placement, int n, int maxBatch)
            throws Exception {
        List<Job> jobs = workload(n, 11 + n);
        List<List<Integer>> alone = new ArrayList<>();
        try (Phi4Engine engine = open(1, Placement.Kind.HOST)) {
            for (Job j : jobs) {
                alone.add(engine.generate(j.alone()).tokenIds());
            }
        }
        try (Phi4Engine engine = open(maxBatch, placement)) {
            SplittableRandom r = new SplittableRandom(3);
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            for (Job j : jobs) {
                GenerationHandle h = engine.stream(j.batched(), d -> {});
                if (j.cancelAfterMs() >= 0) {
                    CompletableFuture.delayedExecutor(j.cancelAfterMs(), TimeUnit.MILLISECONDS)
                            .execute(h::cancel);
                }
                results.add(h.result());
                if (r.nextInt(4) == 0) {
                    Thread.sleep(r.nextInt(5)); // arrivals while others decode
                }
            }
            int aborted = 0;
            int[] finishedByKind = new int[5];
            for (int i = 0; i < jobs.size(); i++) {
                Job j = jobs.get(i);
                GenerationResult g = results.get(i).get(120, TimeUnit.SECONDS);
                boolean abortable = j.cancelAfterMs() >= 0 || j.deadline();
                if (abortable
                        && (g.finishReason() == FinishReason.CANCELLED || g.finishReason() == FinishReason.DEADLINE)) {
                    aborted++;
                    assertThat(g.finishReason())
                            .isEqualTo(j.deadline() ? FinishReason.DEADLINE : FinishReason.CANCELLED);
                    assertThat(g.tokenIds())
                            .as("request %d", i)
                            .hasSizeLessThanOrEqualTo(alone.get(i).size());
                    assertThat(alone.get(i).subList(0, g.tokenIds().size()))
                            .as("request %d", i)
                            .isEqualTo(g.tokenIds());
                    continue;
                }
                assertThat(g.tokenIds()).as("request %d (kind %d)", i, j.kind()).isEqualTo(alone.get(i));
                finishedByKind[j.kind()]++;
                if (j.kind() == 1 || j.kind() >= 3) {
                    assertThat(g.usage().imageTokens()).isPositive();
                }
                if (j.kind() == 2 || j.kind() == 3) {
                    assertThat(g.usage().audioTokens()).isPositive();
                }
            }
            ContinuousBatchScheduler b = ((OnnxPhi4Engine) engine).batcher();
            assertThat(b.peakActive()).as("requests really ran together").isGreaterThan(1);
            assertThat(java.util.Arrays.stream(finishedByKind).min().orElseThrow())
                    .as("every modality finished somewhere: %s", java.util.Arrays.toString(finishedByKind))
                    .isPositive();
            if (n >= 100) {
                assertThat(aborted)
                        .as("some requests were cancelled or expired")
                        .isPositive();
                assertThat(b.crossings())
                        .as("some rows crossed the LongRoPE switch while batched")
                        .isPositive();
            }
        }
    }
}
