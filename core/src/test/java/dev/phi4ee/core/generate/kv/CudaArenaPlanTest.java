package dev.phi4ee.core.generate.kv;

import static dev.phi4ee.core.generate.kv.CudaArenaPlan.ACTIVATION_MARGIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.KvCachePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA arena limit derived before the sessions exist, for the release (weights ≈ 4.7 GB, reference §2.1; 128 KiB
 * of KV per token, §4.3) on GPUs that are not here; and the KV plan made after loading staying inside it.
 */
class CudaArenaPlanTest {
    static final long GIB = 1L << 30;
    static final long WEIGHTS = 4_700_000_000L;
    static final long CONTEXT = GIB / 2; // CUDA context and other processes, in use before the engine opens

    /** A GPU of {@code totalGib} before the engine opens: only the context in use. */
    static Optional<MemoryProbe.Device> before(long totalGib) {
        return Optional.of(new MemoryProbe.Device(totalGib * GIB, totalGib * GIB - CONTEXT, "test GPU"));
    }

    /** The same GPU once the weights are loaded, as {@link MemoryBudget} measures it. */
    static MemoryProbe after(long totalGib) {
        return KvMemoryPlannerTest.probe(
                Optional.of(new MemoryProbe.Device(totalGib * GIB, totalGib * GIB - CONTEXT - WEIGHTS, "test GPU")),
                null);
    }

    static CudaArenaPlan derive(EngineOptions o, Optional<MemoryProbe.Device> device, Map<String, String> provider) {
        return CudaArenaPlan.derive(o, WEIGHTS, device, provider);
    }

    @Test
    void defaultsGiveWeightsPlusTheKvBudgetPlusTheMargin() {
        CudaArenaPlan p = derive(EngineOptions.defaults(), before(24), Map.of());
        long kv = (long) (0.9 * 24 * GIB) - CONTEXT - WEIGHTS;
        assertThat(p.kvRoomBytes()).isEqualTo(kv);
        assertThat(p.limitBytes()).isEqualTo(WEIGHTS + kv + ACTIVATION_MARGIN);
        assertThat(p.limitBytes()).isLessThanOrEqualTo(24 * GIB - CONTEXT);
        assertThat(p.source()).contains("gpuMemoryUtilization 0.90").contains("margin 2.0 GiB");
        // the budget measured after loading is what the arena leaves the cache: the cap changes nothing
        MemoryBudget measured = MemoryBudget.resolve(EngineOptions.defaults(), 0, after(24));
        assertThat(p.cap(measured)).isSameAs(measured);
    }

    @Test
    void kvCacheBytesSizesTheArenaTightly() {
        EngineOptions o = EngineOptions.builder().kvCacheBytes(4 * GIB).build();
        CudaArenaPlan p = derive(o, before(80), Map.of());
        assertThat(p.limitBytes()).isEqualTo(WEIGHTS + 4 * GIB + ACTIVATION_MARGIN);
        assertThat(p.kvRoomBytes()).isEqualTo(4 * GIB);
        assertThat(p.source()).contains("kvCacheBytes");
    }

    @Test
    void theLimitNeverExceedsTheFreeMemoryAndTheKvBudgetShrinksToFit() {
        EngineOptions o = EngineOptions.builder().kvCacheBytes(30 * GIB).build();
        CudaArenaPlan p = derive(o, before(24), Map.of());
        long free = 24 * GIB - CONTEXT;
        assertThat(p.limitBytes()).isEqualTo(free);
        assertThat(p.source()).contains("capped at the");
        assertThat(p.kvRoomBytes()).isEqualTo(free - WEIGHTS - ACTIVATION_MARGIN);
        MemoryBudget capped = p.cap(MemoryBudget.resolve(o, 0, after(24)));
        assertThat(capped.bytes()).isEqualTo(p.kvRoomBytes());
        assertThat(capped.source()).contains("CUDA arena limit");
    }

    @Test
    void gpuMemLimitWinsOverTheModelsOptionWhichWinsOverTheDerivation() {
        Map<String, String> model = Map.of("gpu_mem_limit", Long.toString(16 * GIB), "enable_cuda_graph", "0");
        EngineOptions user = EngineOptions.builder().gpuMemLimit(12 * GIB).build();
        CudaArenaPlan p = derive(user, before(80), model);
        assertThat(p.limitBytes()).isEqualTo(12 * GIB);
        assertThat(p.source()).startsWith("gpuMemLimit");
        CudaArenaPlan fromModel = derive(EngineOptions.defaults(), before(80), model);
        assertThat(fromModel.limitBytes()).isEqualTo(16 * GIB);
        assertThat(fromModel.source()).contains("genai_config.json gpu_mem_limit");
        assertThatThrownBy(() -> derive(EngineOptions.defaults(), before(80), Map.of("gpu_mem_limit", "lots")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpu_mem_limit")
                .hasMessageContaining("lots");
    }

    @Test
    void aUserLimitBoundsTheKvPlanMadeAfterLoading() {
        EngineOptions o = EngineOptions.builder().gpuMemLimit(12 * GIB).build();
        CudaArenaPlan p = derive(o, before(80), Map.of());
        MemoryBudget budget = p.cap(MemoryBudget.resolve(o, 0, after(80)));
        KvCachePlan plan = KvMemoryPlanner.plan(
                KvMemoryPlannerTest.RELEASE, 131072, 131072, KvCacheMode.SHARED_BUFFER, "cuda:0", o, budget);
        assertThat(plan.budgetBytes()).isEqualTo(12 * GIB - WEIGHTS - ACTIVATION_MARGIN);
        assertThat(WEIGHTS + plan.totalBytes() + ACTIVATION_MARGIN).isLessThanOrEqualTo(12 * GIB);
        assertThat(plan.budgetSource()).contains("gpuMemLimit");
    }

    @Test
    void anUnreadableDeviceGetsTheFixedKvBudget() {
        CudaArenaPlan p = derive(EngineOptions.defaults(), Optional.empty(), Map.of());
        assertThat(p.limitBytes()).isEqualTo(WEIGHTS + MemoryBudget.UNKNOWN_DEVICE_BYTES + ACTIVATION_MARGIN);
    }

    @Test
    void weightsOnDiskCountEachGraphAndItsExternalData(@TempDir Path dir) throws IOException {
        Path text = Files.write(dir.resolve("text.onnx"), new byte[100]);
        Files.write(dir.resolve("text.onnx.data"), new byte[1000]);
        Path vision = Files.write(dir.resolve("vision.onnx"), new byte[10]);
        Files.write(dir.resolve("unrelated.data"), new byte[5000]);
        assertThat(CudaArenaPlan.weightsOnDisk(List.of(text, vision))).isEqualTo(1110);
    }
}
