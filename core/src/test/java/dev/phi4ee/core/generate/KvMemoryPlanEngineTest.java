package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ContextLengthExceededException;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.InsufficientMemoryException;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.KvCachePlan;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.generate.kv.MemoryProbe;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.OnnxRuntime;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.Tensor;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The engine opens with the KV cache its memory plan chose: window and slots in effect, reported in {@link
 * dev.phi4ee.core.api.ModelInfo#kvCache()}, allocated natively, and freed on close.
 */
class KvMemoryPlanEngineTest {
    /** The kit's default model (1 KiB per token in float32) with the release's 131072 window (§2.2). */
    static final TestModelSpec RELEASE_WINDOW = KitModels.spec()
            .contextLength(131072)
            .maxLength(131072)
            .originalMaxPositionEmbeddings(4096)
            .build();

    static MemoryProbe host(long physical, long process) {
        return new MemoryProbe() {
            @Override
            public Optional<Device> cuda(int ordinal) {
                return Optional.empty();
            }

            @Override
            public Host host() {
                return new Host(physical, process, 0);
            }
        };
    }

    static OnnxPhi4Engine open(TestModelSpec spec, EngineOptions options, MemoryProbe probe) {
        return OnnxPhi4Engine.open(
                ModelDirectory.open(KitModels.dir(spec)),
                options,
                new FakeTextCodec(),
                r -> OnnxPhi4Engine.greedy(),
                Placement.Kind.AUTO,
                probe);
    }

    static EngineOptions.Builder cpu() {
        return EngineOptions.builder().executionProvider("cpu").intraOpThreads(1);
    }

    static GenerationRequest request(int maxNew) {
        return GenerationRequest.builder()
                .user("hello")
                .options(GenerationOptions.builder().maxNewTokens(maxNew).build())
                .build();
    }

    @Test
    void theWindowAndSlotsOfThePlanAreInEffectAndReported() {
        // 1 GiB of host budget over 8 slots at 1 KiB per token: 131072 each, the whole window, natively reserved.
        long natives = Tensor.nativeBytes();
        long rss = OnnxRuntime.physicalBytes();
        MemoryProbe oneGib = host(10L << 30, (8L << 30) - (1L << 30));
        try (OnnxPhi4Engine e = open(RELEASE_WINDOW, cpu().build(), oneGib)) {
            KvCachePlan p = e.info().kvCache();
            assertThat(p.window()).isEqualTo(131072);
            assertThat(p.slots()).isEqualTo(8);
            assertThat(p.bytesPerToken()).isEqualTo(1024);
            assertThat(p.totalBytes()).isEqualTo(1L << 30);
            assertThat(p.budgetBytes()).isEqualTo(1L << 30);
            assertThat(e.info().maxLength()).isEqualTo(131072);
            assertThat(e.batcher()).isNotNull();
            assertThat(Tensor.nativeBytes() - natives).isEqualTo(1L << 30);
            assertThat(OnnxRuntime.physicalBytes() - rss)
                    .as("reserved, not committed")
                    .isLessThan(256L << 20);
            GenerationResult r = e.generate(request(5));
            assertThat(r.tokenIds()).hasSize(5);
        }
        assertThat(Tensor.nativeBytes()).as("freed on close").isEqualTo(natives);
    }

    @Test
    void aSmallerBudgetGivesASmallerWindowAndRequestsBeyondItAreRejectedWithTheNumbers() {
        // 24 MiB at 1 KiB per token: 8 slots would get 3072 tokens each; 3 slots of 8192 are more useful.
        try (OnnxPhi4Engine e =
                open(RELEASE_WINDOW, cpu().kvCacheBytes(24L << 20).build(), host(1, 0))) {
            KvCachePlan p = e.info().kvCache();
            assertThat(p.window()).isEqualTo(8192);
            assertThat(p.slots()).isEqualTo(3);
            assertThat(p.budgetSource()).isEqualTo("kvCacheBytes");
            assertThatThrownBy(() -> e.stream(request(8190), d -> {}))
                    .isInstanceOfSatisfying(ContextLengthExceededException.class, x -> {
                        assertThat(x.maxLength()).isEqualTo(8192);
                        assertThat(x.maxNewTokens()).isEqualTo(8190);
                    })
                    .hasMessageContaining("exceeds the context window max_length 8192; for a larger window (up to"
                            + " the model's context_length 131072) set maxLength")
                    .hasMessageContaining("kvCacheBytes");
            assertThat(e.generate(request(3)).finishReason()).isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void explicitOptionsThatCannotFitFailAtOpenAndLeaveNothingBehind() {
        long natives = Tensor.nativeBytes();
        EngineOptions tooBig = cpu().maxLength(131072).kvCacheBytes(64L << 20).build();
        assertThatThrownBy(() -> open(RELEASE_WINDOW, tooBig, host(1, 0)))
                .isInstanceOf(InsufficientMemoryException.class)
                .hasMessageStartingWith("maxLength 131072 needs 128.0 MiB of KV cache for one request (1 KiB per token)"
                        + " but the KV budget is 64.0 MiB (kvCacheBytes)");
        assertThat(Tensor.nativeBytes()).isEqualTo(natives);
    }

    @Test
    void theGrowingCacheTakesOneRequestAtATimeWithinTheBudget() {
        // 16 MiB at 2 × 1 KiB per token (past + present): 8192 tokens.
        EngineOptions o =
                cpu().kvCacheMode(KvCacheMode.GROWING).kvCacheBytes(16L << 20).build();
        try (OnnxPhi4Engine e = open(RELEASE_WINDOW, o, host(1, 0))) {
            KvCachePlan p = e.info().kvCache();
            assertThat(p.mode()).isEqualTo(KvCacheMode.GROWING);
            assertThat(p.window()).isEqualTo(8192);
            assertThat(p.slots()).isEqualTo(1);
            assertThat(e.batcher()).isNull();
            assertThat(e.generate(request(4)).tokenIds()).hasSize(4);
        }
    }

    /**
     * The release's KV geometry (32 layers, 8 KV heads × 128, float16: 128 KiB per token, reference §4.3) with its
     * 131072 window, everything else tiny, opened with default options on this machine: the plan fits the budget it
     * reports, the reservation is not committed, and the engine generates.
     */
    @Test
    void theReleasesKvGeometryOpensWithDefaultOptions() {
        TestModelSpec releaseKv = RELEASE_WINDOW.toBuilder()
                .floatType(TestModelSpec.FloatType.FP16)
                .layers(32)
                .heads(24)
                .kvHeads(8)
                .headSize(128)
                .build();
        long rss = OnnxRuntime.physicalBytes();
        try (Phi4Engine e = OnnxPhi4Engine.open(
                ModelDirectory.open(KitModels.dir(releaseKv)),
                EngineOptions.defaults(),
                new FakeTextCodec(),
                r -> OnnxPhi4Engine.greedy())) {
            KvCachePlan p = e.info().kvCache();
            System.out.println(p.describe());
            assertThat(p.bytesPerToken()).isEqualTo(128 * 1024);
            assertThat(p.totalBytes()).isEqualTo((long) p.slots() * p.window() * p.bytesPerToken());
            assertThat(p.totalBytes()).isLessThanOrEqualTo(p.budgetBytes());
            assertThat(p.window()).isBetween(1024, 131072);
            assertThat(p.slots()).isBetween(1, 8);
            assertThat(e.generate(request(3)).tokenIds()).hasSize(3);
            assertThat(OnnxRuntime.physicalBytes() - rss)
                    .as("reserved, not committed")
                    .isLessThan(1L << 30);
        }
    }
}
