package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.generate.kv.MemoryProbe;
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
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Continuous batching under a randomized concurrent workload of mixed modalities through the real tokenizer and the
 * whole prompt stage: text (no adapter), one or two images (vision LoRA adapter: its own decoder call), audio (speech
 * adapter), image + audio (vision adapter); random prompt lengths, maxNewTokens, arrival times, cancellations and
 * deadlines. Every request that finishes gives the tokens it gets alone (greedy); an aborted one (at a decode step the
 * test chooses, {@link AbortHooks}) gives a prefix of them with the right finish reason. The DEVICE row runs the batched engine on the device code path (features,
 * embeddings, KV pool and LoRA weights in ONNX Runtime memory, moved by graph runs), the alone engine on the host path.
 */
class MultimodalBatchingTest {
    static final TestModelSpec SPEC = KitModels.spec()
            .maxLength(4096)
            .includeVision(true)
            .includeSpeech(true)
            .build();

    /** One request, as run alone (no deadline) and batched (given its deadline or null), and how it is aborted. */
    record Job(
            int kind,
            GenerationRequest alone,
            Function<Duration, GenerationRequest> batched,
            ContinuousBatchingTest.Abort abort,
            int abortSeed) {}

    /** Requests the hooks do not choose for are decoded by the sampler their options describe (greedy). */
    static Phi4Engine open(int maxBatch, Placement.Kind placement, AbortHooks hooks) {
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
                r -> hooks.chooser(r, null),
                placement,
                MemoryProbe.system(),
                hooks.clock());
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
            String prompt = text.toString();
            Media sound = audio;
            out.add(new Job(
                    kind,
                    request(images, audio, prompt, maxNew, null),
                    timeout -> request(images, sound, prompt, maxNew, timeout),
                    abort == 0
                            ? ContinuousBatchingTest.Abort.CANCEL
                            : abort == 1 ? ContinuousBatchingTest.Abort.DEADLINE : ContinuousBatchingTest.Abort.NONE,
                    r.nextInt(1 << 20)));
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
        AbortHooks aloneHooks = new AbortHooks();
        for (Job j : jobs) {
            if (j.abort() != ContinuousBatchingTest.Abort.NONE) {
                aloneHooks.chooseLikeAHook(j.alone());
            }
        }
        try (Phi4Engine engine = open(1, Placement.Kind.HOST, aloneHooks)) {
            for (Job j : jobs) {
                alone.add(engine.generate(j.alone()).tokenIds());
            }
        }
        AbortHooks hooks = new AbortHooks();
        try (Phi4Engine engine = open(maxBatch, placement, hooks)) {
            SplittableRandom r = new SplittableRandom(3);
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            List<Integer> abortSteps = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                Job j = jobs.get(i);
                int step = AbortHooks.stepFor(
                        j.abort(), j.abortSeed(), alone.get(i).size());
                abortSteps.add(step);
                GenerationHandle h = step < 0
                        ? engine.stream(j.batched().apply(null), d -> {})
                        : hooks.stream(engine, j.abort(), step, j.batched());
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
                int step = abortSteps.get(i);
                if (step >= 0) {
                    aborted++;
                    AbortHooks.assertAbortedAt(g, j.abort(), step, alone.get(i), "request " + i);
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
