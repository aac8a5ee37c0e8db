package dev.phi4ee.core.model.lora;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.OnnxGraphBuilder.TensorStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 §3: the release's LoRA layout at real element counts — 32 layers, rank-256 graph inputs whose zeros are
 * stored inline as {@code int32_data} (236 MB, as the builder writes them, reference §5.1), a rank-256 vision and a
 * rank-320 speech adapter in the int4 layout (250 and 313 MB) — is widened, opened in ONNX Runtime and its adapters
 * loaded in a JVM limited to {@code -Xmx768m} ({@link ReleaseScaleLoraProbe}, checking every widened tensor and
 * the adapters' outputs). Parsing the graph into protobuf objects alone needed ~1 GB of heap.
 */
class ReleaseScaleLoraWideningTest {
    static final String HEAP = "768m";
    static final long HEAP_BYTES = 768L << 20;
    static final long LIVE_BOUND_BYTES = 128L << 20;

    @TempDir
    Path tmp;

    @Test
    void releaseLayoutOpensWithin768MiBOfHeap() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        ReleaseScaleLora.write(tmp, 32, TensorStorage.TYPED_FIELDS);
        double writeSeconds = (System.nanoTime() - t0) / 1e9;
        Map<String, String> probe = runProbe(tmp, 32, HEAP);
        System.out.printf(
                "release-scale LoRA files written in %.1f s; probe (-Xmx%s): %s%n", writeSeconds, HEAP, probe);
        assertThat(probe).containsEntry("check", "ok");
        assertThat(Long.parseLong(probe.get("graphFileBytes"))).isGreaterThan(236_000_000L);
        assertThat(Long.parseLong(probe.get("maxHeapBytes"))).isLessThanOrEqualTo(HEAP_BYTES);
        assertThat(Long.parseLong(probe.get("peakHeapBytes"))).isLessThan(HEAP_BYTES);
        // what was live: bounded by the largest LoRA tensor and the index, not by the 236 MB of inline zeros
        // (parsed into protobuf objects they alone held 1.25 GB)
        assertThat(Long.parseLong(probe.get("maxHeapAfterGcBytes"))).isBetween(1L, LIVE_BOUND_BYTES);
    }

    /** Runs {@link ReleaseScaleLoraProbe} in a JVM with {@code -Xmx heap}; returns its {@code probe:} values. */
    static Map<String, String> runProbe(Path dir, int layers, String heap) throws IOException, InterruptedException {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx" + heap,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                ReleaseScaleLoraProbe.class.getName(),
                dir.toString(),
                Integer.toString(layers)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("probe output:%n%s", output).isZero();
        Map<String, String> values = new HashMap<>();
        output.lines().filter(l -> l.startsWith("probe: ")).forEach(l -> {
            String kv = l.substring("probe: ".length());
            values.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        });
        return values;
    }
}
