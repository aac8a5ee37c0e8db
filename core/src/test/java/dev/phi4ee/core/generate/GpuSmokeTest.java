package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.CudaProviderOptions;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.ort.Tensor;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CUDA checks, run by {@code scripts/gpu-check.sh} on a CUDA machine ({@code -Dphi4.gpu=true}, {@code -Pgpu}), on
 * the release's form (fp16 + int4; fp32 would put GroupQueryAttention on the CPU inside the CUDA session): strict
 * CUDA sessions load, with ONNX Runtime's CPU fallback disabled where the graphs are opened directly; on CUDA the engine keeps the KV cache, feature tensors, embeddings and LoRA weights in
 * device memory ({@link Placement} AUTO), and gives the CPU engine's logits and tokens — in both cache modes, with
 * continuous batching (batched == alone), across the LongRoPE switch, and for image and audio requests. Prints
 * aggregate tokens/s at 1, 4 and 16 concurrent requests (figures, not assertions).
 */
@EnabledIfSystemProperty(named = "phi4.gpu", matches = "true")
class GpuSmokeTest {
    /** Strict CUDA without ONNX Runtime's per-node CPU fallback: a node CUDA cannot run fails the session. */
    static final SessionSettings CUDA = new SessionSettings("cuda:0", true, 0, SessionSettings.Optimization.ALL)
            .withCuda(CudaProviderOptions.DEFAULT.withCpuFallback(false));

    /**
     * CUDA vs CPU on the same fp16 graphs: fp16 keeps ~3 significant digits and the kit's logits are O(1), so the
     * bound of the fp16-vs-fp32 parity test applies (TF32 does not: the matrix products are fp16 or int4).
     */
    static final float TOLERANCE = Fp16ParityTest.TOLERANCE;

    /** The release's form: fp16 activations, int4 MatMulNBits projections and lm_head (CUDA's GQA is fp16/bf16 only). */
    static TestModelSpec.Builder releaseForm() {
        return KitModels.spec().floatType(TestModelSpec.FloatType.FP16).weights(TestModelSpec.WeightFormat.INT4);
    }

    static final TestModelSpec MULTIMODAL = MultimodalBatchingTest.SPEC.toBuilder()
            .floatType(TestModelSpec.FloatType.FP16)
            .weights(TestModelSpec.WeightFormat.INT4)
            .build();

    static EngineOptions options(String provider, KvCacheMode mode, int maxBatch) {
        return EngineOptions.builder()
                .executionProvider(provider)
                .strictExecutionProvider(true)
                .kvCacheMode(mode)
                .maxBatchSize(maxBatch)
                .maxQueuedRequests(256)
                .build();
    }

    static OnnxPhi4Engine open(TestModelSpec spec, EngineOptions options) {
        return OnnxPhi4Engine.open(
                ModelDirectory.open(KitModels.dir(spec)), options, new FakeTextCodec(), r -> OnnxPhi4Engine.greedy());
    }

    @Test
    void cudaGraphsUseDeviceMemoryAndMovesRoundTrip() {
        ModelDirectory md = ModelDirectory.open(KitModels.dir(releaseForm().build()));
        try (Phi4Graphs g = Phi4Graphs.open(md, CUDA)) {
            assertThat(g.executionProvider()).isEqualTo("cuda:0");
            Placement p = g.placement();
            assertThat(p.isHost()).isFalse();
            try (Tensor host = Tensor.allocate(ElementType.FLOAT16, 3, 64);
                    Tensor device = p.allocate(ElementType.FLOAT16, 3, 64);
                    Tensor back = Tensor.allocate(ElementType.FLOAT16, 3, 64)) {
                for (int i = 0; i < 3 * 64; i++) {
                    host.putFloat(i, i * 0.25f - 7);
                }
                assertThat(device.isHostMemory()).isFalse();
                p.copy(List.of(host), List.of(device));
                p.copy(List.of(device), List.of(back));
                assertThat(back.buffer()).isEqualTo(host.buffer());
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"true, 24", "false, 24", "true, 61", "false, 61"}) // 61 + 8 steps crosses the switch at 64
    void cudaLogitsMatchCpuLogitsAtEveryStep(boolean shared, int promptLength) {
        ModelDirectory md = ModelDirectory.open(KitModels.dir(releaseForm().build()));
        long[] prompt = DecodingSessionTest.prompt(promptLength, 2);
        List<Long> cpuTokens = new ArrayList<>();
        List<Long> gpuTokens = new ArrayList<>();
        List<float[]> cpu;
        List<float[]> gpu;
        try (Phi4Graphs g = Phi4Graphs.open(md, SessionSettings.cpu(1));
                DecodingSession s = new DecodingSession(g, shared, 256, 64)) {
            cpu = DecodingSessionTest.decode(s, prompt, 8, cpuTokens);
        }
        try (Phi4Graphs g = Phi4Graphs.open(md, CUDA);
                DecodingSession s = new DecodingSession(g, shared, 256, 64)) {
            gpu = DecodingSessionTest.decode(s, prompt, 8, gpuTokens);
        }
        float diff = 0;
        for (int i = 0; i < cpu.size(); i++) {
            diff = Math.max(diff, DecodingSessionTest.maxAbsDiff(cpu.get(i), gpu.get(i)));
        }
        System.out.printf(
                "CUDA vs CPU logits (shared=%s, prompt %d, 8 steps): max abs diff %.6f%n", shared, promptLength, diff);
        assertThat(diff).isLessThanOrEqualTo(TOLERANCE);
        assertThat(gpuTokens).isEqualTo(cpuTokens);
    }

    @Test
    void cudaContinuousBatchingGivesTheCpuAloneTokens() throws Exception {
        TestModelSpec spec = releaseForm().build();
        List<ContinuousBatchingTest.Job> jobs = ContinuousBatchingTest.workload(48, 3);
        List<List<Integer>> alone = new ArrayList<>();
        try (OnnxPhi4Engine e = open(spec, options("cpu", KvCacheMode.SHARED_BUFFER, 1))) {
            for (ContinuousBatchingTest.Job j : jobs) {
                alone.add(
                        e.generate(ContinuousBatchingTest.request(new ContinuousBatchingTest.Job(j.text(), j.maxNew())))
                                .tokenIds());
            }
        }
        try (OnnxPhi4Engine e = open(spec, options("cuda:0", KvCacheMode.SHARED_BUFFER, 8))) {
            assertThat(e.info().executionProvider()).isEqualTo("cuda:0");
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            for (ContinuousBatchingTest.Job j : jobs) {
                results.add(e.stream(
                                ContinuousBatchingTest.request(new ContinuousBatchingTest.Job(j.text(), j.maxNew())),
                                d -> {})
                        .result());
            }
            int mismatches = 0;
            for (int i = 0; i < jobs.size(); i++) {
                if (!results.get(i).get(120, TimeUnit.SECONDS).tokenIds().equals(alone.get(i))) {
                    mismatches++;
                }
            }
            System.out.printf(
                    "CUDA batched vs CPU alone: %d of %d requests differ (peak batch %d, LongRoPE crossings %d)%n",
                    mismatches,
                    jobs.size(),
                    e.batcher().peakActive(),
                    e.batcher().crossings());
            assertThat(mismatches).isZero();
            assertThat(e.batcher().peakActive()).isGreaterThan(1);
        }
    }

    @Test
    void cudaMultimodalRequestsGiveTheCpuTokens() throws Exception {
        List<GenerationRequest> requests = MultimodalBatchingTest.workload(10, 1).stream()
                .map(MultimodalBatchingTest.Job::alone)
                .toList();
        List<List<Integer>> cpu = new ArrayList<>();
        try (Phi4Engine e = Phi4Engine.open(KitModels.dir(MULTIMODAL), options("cpu", KvCacheMode.AUTO, 1))) {
            for (GenerationRequest r : requests) {
                cpu.add(e.generate(r).tokenIds());
            }
        }
        try (Phi4Engine e = Phi4Engine.open(KitModels.dir(MULTIMODAL), options("cuda:0", KvCacheMode.AUTO, 8))) {
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            for (GenerationRequest r : requests) {
                results.add(e.stream(r, d -> {}).result());
            }
            for (int i = 0; i < requests.size(); i++) {
                assertThat(results.get(i).get(120, TimeUnit.SECONDS).tokenIds())
                        .as("request %d", i)
                        .isEqualTo(cpu.get(i));
            }
        }
    }

    @Test
    void cudaAggregateThroughputAt1And4And16Requests() throws Exception {
        TestModelSpec spec = releaseForm().maxLength(1024).build();
        try (OnnxPhi4Engine e = open(spec, options("cuda:0", KvCacheMode.SHARED_BUFFER, 16))) {
            double base = 0;
            for (int concurrent : new int[] {1, 1, 4, 16}) { // the first round warms up
                GenerationRequest r = GenerationRequest.builder()
                        .user("x".repeat(100))
                        .options(GenerationOptions.builder()
                                .maxNewTokens(128)
                                .minNewTokens(128)
                                .build())
                        .build();
                long start = System.nanoTime();
                List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
                for (int i = 0; i < concurrent; i++) {
                    results.add(e.stream(r, d -> {}).result());
                }
                long tokens = 0;
                for (CompletableFuture<GenerationResult> f : results) {
                    tokens += f.get(120, TimeUnit.SECONDS).tokenIds().size();
                }
                double perSecond = tokens / ((System.nanoTime() - start) / 1e9);
                if (concurrent == 1) {
                    base = perSecond;
                }
                System.out.printf(
                        "GPU: %d concurrent -> %.0f tokens/s aggregate (%.2fx of 1)%n",
                        concurrent, perSecond, perSecond / base);
                assertThat(tokens).isPositive();
            }
        }
    }
}
