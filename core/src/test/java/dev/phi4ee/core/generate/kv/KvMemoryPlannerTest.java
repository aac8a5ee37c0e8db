package dev.phi4ee.core.generate.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.InsufficientMemoryException;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.KvCachePlan;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The KV memory plan for the machines the release must open on with default options, from injected memory figures.
 * Release facts: 32 layers × 8 KV heads × head size 128 in float16 (reference §4.3, §10.1), {@code max_length} =
 * {@code context_length} = 131072 (§2.2), weights ≈ 4.7 GB once loaded (§2.1: 5.14 GB folder, mostly weights).
 */
class KvMemoryPlannerTest {
    static final long GIB = 1L << 30;
    static final KvGeometry RELEASE = new KvGeometry(32, 8, 128, 2);
    static final KvGeometry DEMO = new KvGeometry(2, 2, 32, 4); // the test kit's default model in float32
    static final int WINDOW = 131072;
    static final long WEIGHTS = 4_700_000_000L;
    static final long CUDA_CONTEXT = GIB / 2;

    /** A GPU of {@code totalGib} with the release loaded: the weights and the CUDA context are in use. */
    static MemoryProbe gpu(long totalGib) {
        return probe(
                Optional.of(new MemoryProbe.Device(
                        totalGib * GIB, totalGib * GIB - WEIGHTS - CUDA_CONTEXT, "nvidia-smi GPU 0")),
                null);
    }

    /** A host of {@code physicalGib} with the release loaded in a JVM of {@code maxHeapGib} (0.5 GiB committed). */
    static MemoryProbe host(long physicalGib, double maxHeapGib) {
        long resident = WEIGHTS + GIB / 2; // weights + JVM, natives, committed heap
        long heapGrowth = (long) (maxHeapGib * GIB) - GIB / 2;
        long javacppLimit = (long) (4 * maxHeapGib * GIB); // JavaCPP's default maxPhysicalBytes
        return probe(Optional.empty(), new MemoryProbe.Host(physicalGib * GIB, resident + heapGrowth, javacppLimit));
    }

    static MemoryProbe probe(Optional<MemoryProbe.Device> device, MemoryProbe.Host host) {
        return new MemoryProbe() {
            @Override
            public Optional<Device> cuda(int ordinal) {
                return device;
            }

            @Override
            public Host host() {
                return host;
            }
        };
    }

    static KvCachePlan plan(KvGeometry g, EngineOptions o, MemoryProbe probe, int cudaDevice, KvCacheMode mode) {
        MemoryBudget budget = MemoryBudget.resolve(o, cudaDevice, probe);
        return KvMemoryPlanner.plan(g, WINDOW, WINDOW, mode, cudaDevice < 0 ? "host" : "cuda:" + cudaDevice, o, budget);
    }

    static KvCachePlan release(EngineOptions o, MemoryProbe probe, int cudaDevice) {
        return plan(RELEASE, o, probe, cudaDevice, KvCacheMode.SHARED_BUFFER);
    }

    static void assertFits(KvCachePlan p) {
        assertThat(p.totalBytes()).isEqualTo((long) p.slots() * p.window() * p.bytesPerToken());
        assertThat(p.totalBytes()).isLessThanOrEqualTo(p.budgetBytes());
        assertThat(p.window()).isLessThanOrEqualTo(WINDOW);
    }

    @Test
    void releaseGeometryIs128KiBPerToken() {
        assertThat(RELEASE.bytesPerToken()).isEqualTo(128 * 1024);
        assertThat(DEMO.bytesPerToken()).isEqualTo(1024);
    }

    @Test
    void defaultsOnA24GiBGpuGiveEightSlotsOf16kTokens() {
        KvCachePlan p = release(EngineOptions.defaults(), gpu(24), 0);
        // 0.9 × 24 GiB − (4.7 GB + 0.5 GiB) = 16.7 GiB → 136,970 tokens → 8 × 17,121 → multiple of 1024
        assertThat(p.slots()).isEqualTo(8);
        assertThat(p.window()).isEqualTo(16384);
        assertThat(p.totalBytes()).isEqualTo(16 * GIB);
        assertThat(p.memory()).isEqualTo("cuda:0");
        assertThat(p.budgetSource())
                .isEqualTo("gpuMemoryUtilization 0.90 × 24.0 GiB of cuda:0 − 4.9 GiB in use (nvidia-smi GPU 0)");
        assertFits(p);
    }

    @Test
    void defaultsOn48And80GiBGpusGrowTheWindowNotTheSlots() {
        KvCachePlan p48 = release(EngineOptions.defaults(), gpu(48), 0);
        assertThat(p48.slots()).isEqualTo(8);
        assertThat(p48.window()).isEqualTo(38912); // 38.3 GiB / (8 × 128 KiB) = 39,239
        assertFits(p48);
        KvCachePlan p80 = release(EngineOptions.defaults(), gpu(80), 0);
        assertThat(p80.slots()).isEqualTo(8);
        assertThat(p80.window()).isEqualTo(68608); // 67.1 GiB / (8 × 128 KiB) = 68,734
        assertFits(p80);
    }

    @Test
    void defaultsOnA24GiBHostKeepEightSlotsOfAUsefulWindow() {
        // Default JVM heap: a quarter of the host, 6 GiB, of which 5.5 GiB may still grow.
        KvCachePlan p = release(EngineOptions.defaults(), host(24, 6), -1);
        // 0.8 × 24 GiB − (4.7 GB + 0.5 GiB + 5.5 GiB) = 8.8 GiB → 72,278 tokens → 8 × 9,034
        assertThat(p.slots()).isEqualTo(8);
        assertThat(p.window()).isEqualTo(8192);
        assertThat(p.totalBytes()).isEqualTo(8 * GIB);
        assertThat(p.budgetSource()).isEqualTo("hostMemoryUtilization 0.80 × 24.0 GiB − 10.4 GiB held by this process");
        assertFits(p);
        assertThat(p.describe())
                .isEqualTo("KV cache in host memory: 128 KiB per token, window 8192, 8 slots, 8.0 GiB shared buffer;"
                        + " budget 8.8 GiB from " + p.budgetSource());
    }

    @Test
    void theDemoModelKeepsTheReleasesWholeWindowInAOneGiBHeap() {
        // -Xmx1g: JavaCPP's resident limit (4 GiB) is the tighter bound, and still holds 8 × 131072 × 1 KiB.
        MemoryProbe small = probe(Optional.empty(), new MemoryProbe.Host(24 * GIB, GIB, 4 * GIB));
        KvCachePlan p = plan(DEMO, EngineOptions.defaults(), small, -1, KvCacheMode.SHARED_BUFFER);
        assertThat(p.window()).isEqualTo(WINDOW);
        assertThat(p.slots()).isEqualTo(8);
        assertThat(p.totalBytes()).isEqualTo(GIB);
        assertThat(p.budgetBytes()).isEqualTo((long) (0.9 * 4 * GIB) - GIB);
        assertThat(p.budgetSource()).contains("JavaCPP's maxPhysicalBytes 4.0 GiB");
        assertFits(p);
    }

    @Test
    void theWindowNeverExceedsTheConfigsMaxLength() {
        EngineOptions o = EngineOptions.builder().kvCacheBytes(1L << 40).build();
        KvCachePlan p = release(o, gpu(80), 0);
        assertThat(p.window()).isEqualTo(WINDOW);
        assertThat(p.slots()).isEqualTo(8);
        assertThat(p.budgetSource()).isEqualTo("kvCacheBytes");
        KvCachePlan kit = KvMemoryPlanner.plan(
                DEMO, 4096, 4096, KvCacheMode.SHARED_BUFFER, "host", o, MemoryBudget.resolve(o, -1, host(24, 6)));
        assertThat(kit.window()).isEqualTo(4096);
    }

    @Test
    void aBudgetTooSmallForEightUsefulWindowsGivesFewerSlots() {
        // 40,000 tokens: 8 slots would get 5,000 each; 4 slots of 8192+ tokens are more useful.
        EngineOptions o =
                EngineOptions.builder().kvCacheBytes(40_000L * 128 * 1024).build();
        KvCachePlan p = release(o, host(24, 6), -1);
        assertThat(p.slots()).isEqualTo(4);
        assertThat(p.window()).isEqualTo(9216);
        assertFits(p);
        // A budget for one short window still opens, with one slot.
        KvCachePlan one =
                release(EngineOptions.builder().kvCacheBytes(512L << 20).build(), gpu(24), 0);
        assertThat(one.slots()).isEqualTo(1);
        assertThat(one.window()).isEqualTo(4096);
    }

    @Test
    void explicitOptionsWinWhenTheyFit() {
        // maxLength 32768 on a 24 GiB GPU: 4 GiB per request, 16.7 GiB hold 4 of the 8 maxBatchSize slots.
        KvCachePlan p = release(EngineOptions.builder().maxLength(32768).build(), gpu(24), 0);
        assertThat(p.window()).isEqualTo(32768);
        assertThat(p.slots()).isEqualTo(4);
        assertFits(p);
        // maxBatchSize is an upper bound: 2 slots share the budget: 16.7 GiB / (2 × 128 KiB) = 68,485 tokens each.
        KvCachePlan two = release(EngineOptions.builder().maxBatchSize(2).build(), gpu(24), 0);
        assertThat(two.slots()).isEqualTo(2);
        assertThat(two.window()).isEqualTo(67584);
        // An explicit budget for the whole window and 8 slots: 128 GiB, used as given.
        KvCachePlan all =
                release(EngineOptions.builder().kvCacheBytes(128 * GIB).build(), host(24, 6), -1);
        assertThat(all.window()).isEqualTo(WINDOW);
        assertThat(all.slots()).isEqualTo(8);
        assertThat(all.totalBytes()).isEqualTo(128 * GIB);
    }

    @Test
    void explicitOptionsThatCannotFitNameTheOptionsAndTheNumbers() {
        assertThatThrownBy(
                        () -> release(EngineOptions.builder().maxLength(WINDOW).build(), host(24, 6), -1))
                .isInstanceOfSatisfying(InsufficientMemoryException.class, e -> {
                    assertThat(e.requiredBytes()).isEqualTo(16 * GIB);
                    assertThat(e.budgetBytes()).isLessThan(16 * GIB);
                })
                .hasMessageStartingWith("maxLength 131072 needs 16.0 GiB of KV cache for one request (128 KiB per"
                        + " token) but the KV budget is 8.8 GiB (hostMemoryUtilization 0.80 × 24.0 GiB")
                .hasMessageEndingWith("lower maxLength or raise hostMemoryUtilization or set kvCacheBytes");
        assertThatThrownBy(() ->
                        release(EngineOptions.builder().kvCacheBytes(64L << 20).build(), gpu(24), 0))
                .isInstanceOf(InsufficientMemoryException.class)
                .hasMessage("the KV budget 64.0 MiB (kvCacheBytes) holds 512 tokens at 128 KiB per token, less than"
                        + " the smallest automatic window of 1024 tokens; raise kvCacheBytes, or set a smaller"
                        + " maxLength");
        assertThatThrownBy(() ->
                        release(EngineOptions.builder().maxLength(WINDOW + 1).build(), gpu(80), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxLength 131073 exceeds the model's context_length 131072");
    }

    @Test
    void theReleaseOnTheHostUnderA1GiBHeapHitsJavaCppsResidentLimit() {
        // 4.7 GB of weights already exceed 90 % of JavaCPP's 4 GiB default limit: the error says how to lift it.
        assertThatThrownBy(() -> release(EngineOptions.defaults(), host(24, 1), -1))
                .isInstanceOf(InsufficientMemoryException.class)
                .hasMessageContaining("holds 0 tokens")
                .hasMessageContaining("raise -Dorg.bytedeco.javacpp.maxPhysicalBytes");
    }

    @Test
    void unknownDeviceMemoryFallsBackToAFixedBudget() {
        KvCachePlan p = release(EngineOptions.defaults(), probe(Optional.empty(), null), 1);
        assertThat(p.budgetBytes()).isEqualTo(MemoryBudget.UNKNOWN_DEVICE_BYTES);
        assertThat(p.budgetSource()).contains("cuda:1 cannot be read").endsWith("set kvCacheBytes");
        assertThat(p.memory()).isEqualTo("cuda:1");
        assertThat(p.slots()).isEqualTo(4); // 32,768 tokens: 4 × 8192
        assertThat(p.window()).isEqualTo(8192);
    }

    @Test
    void theGrowingCacheServesOneRequestWhosePeakHoldsPastAndPresent() {
        KvCachePlan p = plan(RELEASE, EngineOptions.defaults(), host(24, 6), -1, KvCacheMode.GROWING);
        assertThat(p.mode()).isEqualTo(KvCacheMode.GROWING);
        assertThat(p.slots()).isEqualTo(1);
        assertThat(p.window()).isEqualTo(35840); // 8.8 GiB / (2 × 128 KiB) = 36,139
        assertThat(p.totalBytes()).isEqualTo(2L * 35840 * 128 * 1024).isLessThanOrEqualTo(p.budgetBytes());
        assertThat(p.describe()).contains("growing, 1 request at a time, peak 8.8 GiB (past + present)");
        assertThatThrownBy(() -> plan(
                        RELEASE,
                        EngineOptions.builder().maxLength(WINDOW).build(),
                        host(24, 6),
                        -1,
                        KvCacheMode.GROWING))
                .isInstanceOf(InsufficientMemoryException.class)
                .hasMessageContaining(
                        "needs 32.0 GiB of KV cache for one request (128 KiB per token, past and" + " present)");
    }

    @Test
    void theHintForABiggerWindowNamesTheOptionsUnlessTheModelIsAtItsLimit() {
        KvCachePlan p = release(EngineOptions.defaults(), gpu(24), 0);
        assertThat(KvMemoryPlanner.howToGrow(p, WINDOW))
                .contains("context_length 131072")
                .contains("maxLength")
                .contains("kvCacheBytes")
                .contains("maxBatchSize");
        KvCachePlan full =
                release(EngineOptions.builder().kvCacheBytes(1L << 40).build(), gpu(80), 0);
        assertThat(KvMemoryPlanner.howToGrow(full, WINDOW)).isEqualTo("that is the model's context_length");
    }
}
