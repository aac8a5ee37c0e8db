package dev.phi4ee.core.ort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The engine-wide CUDA arena on a host without CUDA: the session entries it implies, its scope, and that a failed
 * registration leaves each session its own arena instead of failing the open.
 */
class CudaArenaTest {
    @Test
    void arenaIsLimitedAndGrowsByWhatIsRequested() {
        assertThat(CudaArena.arenaConfig(12L << 30))
                .containsExactly(Map.entry("max_mem", 12L << 30), Map.entry("arena_extend_strategy", 1L));
    }

    @Test
    void everyCudaSessionOfTheEngineUsesTheEnvironmentsArenaOnlyWhenItIsRegistered() {
        assertThat(OrtSession.cudaSessionConfig(CudaProviderOptions.DEFAULT, true))
                .containsExactly(Map.entry("session.use_env_allocators", "1"));
        assertThat(OrtSession.cudaSessionConfig(CudaProviderOptions.DEFAULT, false))
                .isEmpty();
        assertThat(OrtSession.cudaSessionConfig(CudaProviderOptions.DEFAULT.withCpuFallback(false), true))
                .containsExactly(
                        Map.entry("session.disable_cpu_ep_fallback", "1"),
                        Map.entry("session.use_env_allocators", "1"));
    }

    @Test
    void onlyTheOpeningThreadAndDeviceJoinAndTheCpuBuildRegistersNothing() throws Exception {
        assertThat(CudaArena.join(0)).isFalse(); // no engine opening
        try (CudaArena opening = CudaArena.open(0, 1L << 30)) {
            assertThat(opening.limitBytes()).isEqualTo(1L << 30);
            assertThat(CudaArena.join(1)).isFalse(); // another device
            assertThat(CompletableFuture.supplyAsync(() -> CudaArena.join(0)).get(10, TimeUnit.SECONDS))
                    .isFalse(); // another thread
            // the CPU natives cannot create a CUDA allocator: the sessions keep their own arenas (on a GPU host with
            // the
            // -gpu natives, scripts/gpu-check.sh, it registers); either way it is decided once per engine
            boolean joined = CudaArena.join(0);
            if (!OnnxRuntime.compiledProviders().contains("CUDAExecutionProvider")) {
                assertThat(joined).isFalse();
            }
            assertThat(CudaArena.join(0)).isEqualTo(joined);
            assertThatThrownBy(() -> CudaArena.open(1, 1L << 30)).isInstanceOf(IllegalStateException.class);
        }
        assertThat(CudaArena.join(0)).isFalse();
        // the device is free again for the next engine, on any thread
        CompletableFuture.runAsync(() -> {
                    try (CudaArena next = CudaArena.open(0, 1L << 20)) {
                        assertThat(next.limitBytes()).isEqualTo(1L << 20);
                    }
                })
                .get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> CudaArena.open(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
