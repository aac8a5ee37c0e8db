package dev.phi4ee.core.ort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CUDA V2 options the sessions are created with; the native call itself needs a GPU (GpuSmokeTest). */
class CudaProviderOptionsTest {
    @Test
    void defaultsAvoidPowerOfTwoArenaGrowthAndExhaustiveConvolutionSearch() {
        assertThat(CudaProviderOptions.DEFAULT.forDevice(1))
                .containsExactly(
                        Map.entry("arena_extend_strategy", "kSameAsRequested"),
                        Map.entry("cudnn_conv_algo_search", "HEURISTIC"),
                        Map.entry("device_id", "1"));
        assertThat(CudaProviderOptions.DEFAULT.cpuFallback()).isTrue();
        assertThat(new SessionSettings("cuda", false, 0, SessionSettings.Optimization.ALL).cuda())
                .isEqualTo(CudaProviderOptions.DEFAULT);
    }

    @Test
    void theModelsOptionsComeOnTopButTheDeviceIsTheSettings() {
        CudaProviderOptions o = CudaProviderOptions.DEFAULT.with(
                Map.of("enable_cuda_graph", "0", "cudnn_conv_algo_search", "DEFAULT", "device_id", "7"));
        assertThat(o.forDevice(0))
                .containsEntry("arena_extend_strategy", "kSameAsRequested")
                .containsEntry("cudnn_conv_algo_search", "DEFAULT")
                .containsEntry("enable_cuda_graph", "0")
                .containsEntry("device_id", "0");
        assertThat(CudaProviderOptions.DEFAULT.forDevice(0)).doesNotContainKey("enable_cuda_graph");
    }

    @Test
    void cpuFallbackCanBeDisabledAndTravelsWithTheSettings() {
        var settings = new SessionSettings("cuda:0", true, 0, SessionSettings.Optimization.ALL)
                .withCuda(CudaProviderOptions.DEFAULT.withCpuFallback(false));
        assertThat(settings.cuda().cpuFallback()).isFalse();
        assertThat(settings.cuda().with(Map.of("gpu_mem_limit", "1024")).cpuFallback())
                .isFalse();
    }

    @Test
    void emptyNamesAreRejected() {
        assertThatThrownBy(() -> CudaProviderOptions.DEFAULT.with(Map.of(" ", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty name");
    }
}
