package dev.phi4ee.core.ort;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading a CUDA device's memory from {@code nvidia-smi}'s CSV (MiB), with CUDA's device numbering. */
class CudaMemoryTest {
    static final String TWO_GPUS = "0, 24564, 23012\n1, 81559, 80100\n";

    @Test
    void oneGpuIsTheDevice() {
        var s = CudaMemory.parseNvidiaSmi("0, 24564, 23012\n", 0, Map.of()).orElseThrow();
        assertThat(s.totalBytes()).isEqualTo(24564L << 20);
        assertThat(s.freeBytes()).isEqualTo(23012L << 20);
        assertThat(s.source()).isEqualTo("nvidia-smi GPU 0");
    }

    @Test
    void pciBusOrderMapsTheOrdinalThroughCudaVisibleDevices() {
        Map<String, String> pci = Map.of("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
        assertThat(CudaMemory.parseNvidiaSmi(TWO_GPUS, 1, pci).orElseThrow().totalBytes())
                .isEqualTo(81559L << 20);
        Map<String, String> visible = Map.of("CUDA_DEVICE_ORDER", "PCI_BUS_ID", "CUDA_VISIBLE_DEVICES", "1,0");
        assertThat(CudaMemory.parseNvidiaSmi(TWO_GPUS, 0, visible).orElseThrow().source())
                .isEqualTo("nvidia-smi GPU 1");
    }

    @Test
    void withoutPciOrderTheGpuWithTheLeastFreeMemoryIsTaken() {
        var s = CudaMemory.parseNvidiaSmi(TWO_GPUS, 1, Map.of("CUDA_VISIBLE_DEVICES", "1"))
                .orElseThrow();
        assertThat(s.freeBytes()).isEqualTo(23012L << 20);
        assertThat(s.source()).isEqualTo("nvidia-smi GPU 0, least free of 2 GPUs");
    }

    @Test
    void anythingButTheTableIsNoAnswer() {
        assertThat(CudaMemory.parseNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate", 0, Map.of()))
                .isEmpty();
        assertThat(CudaMemory.parseNvidiaSmi("0, [N/A], [N/A]\n", 0, Map.of())).isEmpty();
        assertThat(CudaMemory.parseNvidiaSmi("", 0, Map.of())).isEmpty();
    }
}
