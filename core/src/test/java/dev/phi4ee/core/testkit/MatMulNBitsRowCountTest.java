package dev.phi4ee.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;
import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Why batched decoding on int4 weights is not always bit-identical to decoding alone: ONNX Runtime's CPU
 * MatMulNBits computes a row differently depending on how many rows (M) the call has. At accuracy_level 0 (float32
 * compute) MLAS takes a GEMV kernel on the packed codes for M = 1 ({@code SQ4BitGemmM1Kernel_CompFp32}) and, for
 * M > 1, dequantizes B to float32 and runs SGEMM: another summation order. Measured (ORT 1.24.1, AVX-512 VNNI,
 * K 32…128, N 64…200064, unit-variance inputs): M = 1 vs M > 1 differ by ≤ 2.9e-6 per output, every M ≥ 2 gives the
 * same rows. At accuracy_level 4 activations are quantized to int8 per row and block, and every M gives the same
 * bits.
 */
class MatMulNBitsRowCountTest {
    static final int K = 64;
    static final int N = 128;
    static final int ROWS = 4;

    @TempDir
    static Path tmp;

    static Path graph(int accuracyLevel, Int4Weights q) throws IOException {
        OnnxGraphBuilder g = new OnnxGraphBuilder("matmulnbits").opset(OnnxGraphBuilder.MS_DOMAIN, 1);
        g.input("x", DataType.FLOAT, "m", K);
        g.output("y", DataType.FLOAT, "m", N);
        String packed = g.initializerUint8("w_Q4", new long[] {N, Int4Weights.blocks(K), 16}, q.packed());
        String scales = g.initializer("w_scales", DataType.FLOAT, new long[] {q.scales().length}, q.scales());
        g.node("MatMulNBits")
                .domain(OnnxGraphBuilder.MS_DOMAIN)
                .in("x", packed, scales)
                .attr("K", (long) K)
                .attr("N", (long) N)
                .attr("bits", 4L)
                .attr("block_size", (long) Int4Weights.BLOCK)
                .attr("accuracy_level", (long) accuracyLevel)
                .out("y");
        Path file = Files.createTempFile(tmp, "matmulnbits", ".onnx");
        g.write(file, "test", Long.MAX_VALUE);
        return file;
    }

    /** Rows 0..ROWS-1 of x · W computed one row per call (M = 1) and in one call (M = ROWS), concatenated. */
    static float[][] aloneAndTogether(int accuracyLevel) throws IOException {
        SeededWeights seeded = new SeededWeights(11);
        Int4Weights q = Int4Weights.quantize(seeded.normal("w", K * N, 0, 1 / Math.sqrt(K)), K, N, false);
        float[] x = seeded.normal("x", ROWS * K, 0, 1);
        try (OrtTestSession s = new OrtTestSession(graph(accuracyLevel, q))) {
            float[] alone = new float[ROWS * N];
            for (int r = 0; r < ROWS; r++) {
                float[] row = Arrays.copyOfRange(x, r * K, (r + 1) * K);
                float[] y = s.run(Map.of("x", Tensor.f32(row, 1, K))).get("y").floats();
                System.arraycopy(y, 0, alone, r * N, N);
            }
            float[] together =
                    s.run(Map.of("x", Tensor.f32(x, ROWS, K))).get("y").floats();
            float[] pair = s.run(Map.of("x", Tensor.f32(Arrays.copyOf(x, 2 * K), 2, K)))
                    .get("y")
                    .floats();
            return new float[][] {alone, together, pair};
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void rowsDependOnlyOnWhetherTheCallHasOneRow(int accuracyLevel) throws IOException {
        float[][] r = aloneAndTogether(accuracyLevel);
        float[] alone = r[0];
        float[] together = r[1];
        float[] pair = r[2];
        assertThat(Arrays.copyOf(together, 2 * N)).as("M = 2 vs M = 4").isEqualTo(pair);
        if (accuracyLevel == 4) {
            assertThat(together).as("M = 1 vs M = 4").isEqualTo(alone);
        } else {
            assertThat(DecoderRunner.maxAbsDiff(together, alone))
                    .as("M = 1 vs M = 4")
                    .isLessThanOrEqualTo(1e-5);
        }
    }
}
